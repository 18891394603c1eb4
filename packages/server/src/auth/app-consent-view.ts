import { escapeHtml, page } from './views.ts';

export interface ConsentPageOptions {
  uid: string;
  appName: string;
  clientId: string;
  /** Who is signed in. */
  name: string;
  /** What the app would be allowed, in plain words (app-consent.ts). */
  allowed: string[];
  /** What it asked for that it cannot have (not registered for it, or not for this kind of account). */
  refused: string[];
  /** The staff role profile chosen, carried to the decision. */
  profileId?: string;
  /** The patient a member of staff chose for the app (standalone launch), carried to the decision. */
  patient?: { id: string; name: string };
}

/**
 * The consent screen a third-party SMART app's sign-in stops at: which app, what it could do, in
 * plain words, and two buttons. The first-party web app never shows it.
 */
export function renderConsentPage(options: ConsentPageOptions): string {
  const base = `/auth/interaction/${encodeURIComponent(options.uid)}`;
  const list = (items: string[]) =>
    `<ul class="nhsuk-list nhsuk-list--bullet">\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;
  const refused = options.refused.length
    ? `<h2 class="nhsuk-heading-s">It asked for more, which it will not get</h2>\n${list(options.refused)}`
    : '';
  return page(
    `Allow ${options.appName} to use your health record?`,
    `<h1 class="nhsuk-heading-l">Allow ${escapeHtml(options.appName)} to use your health record?</h1>
<p class="nhsuk-body">${escapeHtml(options.name)}, the app <strong>${escapeHtml(options.appName)}</strong>
<span class="nhsuk-hint">(registered as ${escapeHtml(options.clientId)})</span> is asking to connect to CareWeave.
It is not made by the NHS or by CareWeave.</p>
${options.patient ? `<p class="nhsuk-body">It will work with the record of <strong>${escapeHtml(options.patient.name)}</strong>.</p>` : ''}
<h2 class="nhsuk-heading-m">If you allow it, it will be able to</h2>
${options.allowed.length ? list(options.allowed) : '<p class="nhsuk-body">Only know that you signed in.</p>'}
${refused}
<div class="nhsuk-inset-text"><p class="nhsuk-body">You can stop it at any time under <em>Connected apps</em> in CareWeave.
Stopping it does not delete what it has already copied: ask the app's makers about that.</p></div>
<form method="post" action="${base}/consent">
${options.profileId ? `<input type="hidden" name="profile" value="${escapeHtml(options.profileId)}">` : ''}
${options.patient ? `<input type="hidden" name="patient" value="${escapeHtml(options.patient.id)}">` : ''}
<button class="nhsuk-button" type="submit" name="decision" value="allow">Allow</button>
<button class="nhsuk-button nhsuk-button--secondary" type="submit" name="decision" value="deny">Do not allow</button>
</form>`,
  );
}
