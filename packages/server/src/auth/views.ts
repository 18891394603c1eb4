/**
 * Server-rendered sign-in pages: plain, accessible HTML with NHS.UK design-system class names
 * (nhsuk-*) so the web app team can restyle them with the NHS.UK frontend stylesheet. No scripts.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Security headers for every sign-in page: never cached, never framed, nothing loaded from elsewhere. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

const STYLE = `body{font-family:Arial,sans-serif;margin:0;background:#f0f4f5;color:#212b32}
.nhsuk-header{background:#005eb8;color:#fff;padding:16px}.nhsuk-header__link{color:#fff;font-weight:bold;text-decoration:none}
.nhsuk-width-container{max-width:640px;margin:0 auto;padding:0 16px}.nhsuk-main-wrapper{padding:32px 0}
.nhsuk-form-group{margin-bottom:24px}.nhsuk-label{display:block;font-weight:bold;margin-bottom:4px}
.nhsuk-input{width:100%;box-sizing:border-box;padding:8px;border:2px solid #4c6272;font-size:1rem}
.nhsuk-button{background:#007f3b;color:#fff;border:0;padding:12px 16px;font-size:1rem;cursor:pointer;box-shadow:0 4px 0 #00401e;display:inline-block;text-decoration:none}
.nhsuk-button--secondary{background:#4c6272;box-shadow:0 4px 0 #263139}
.nhsuk-error-summary{border:4px solid #d5281b;padding:16px;margin-bottom:24px;background:#fff}
.nhsuk-error-message{color:#d5281b;font-weight:bold}.nhsuk-radios__item{margin-bottom:8px}
.nhsuk-hint{color:#4c6272}.nhsuk-inset-text{border-left:8px solid #005eb8;padding:8px 16px;background:#fff}`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – CareWeave</title>
<style>${STYLE}</style>
</head>
<body>
<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>
<header class="nhsuk-header" role="banner"><div class="nhsuk-width-container nhsuk-header__container">
<a class="nhsuk-header__link" href="/" aria-label="CareWeave homepage">CareWeave</a>
</div></header>
<div class="nhsuk-width-container">
<main class="nhsuk-main-wrapper" id="maincontent" role="main">
${body}
</main>
</div>
</body>
</html>`;
}

function errorSummary(error: string | undefined, href: string): string {
  if (!error) {
    return '';
  }
  return `<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">
<h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>
<div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">
<li><a href="${href}">${escapeHtml(error)}</a></li></ul></div></div>`;
}

export interface LoginPageOptions {
  uid: string;
  clientName: string;
  error?: string;
  username?: string;
  federation: { cis2: boolean; nhsLogin: boolean };
}

export function renderLoginPage(options: LoginPageOptions): string {
  const { uid, error } = options;
  const base = `/auth/interaction/${encodeURIComponent(uid)}`;
  const federation: string[] = [];
  if (options.federation.cis2) {
    federation.push(
      `<a class="nhsuk-button nhsuk-button--secondary" href="${base}/federate/cis2" data-provider="cis2">Sign in with NHS CIS2</a>`,
    );
  }
  if (options.federation.nhsLogin) {
    federation.push(
      `<a class="nhsuk-button nhsuk-button--secondary" href="${base}/federate/nhs-login" data-provider="nhs-login">Sign in with NHS login</a>`,
    );
  }
  return page(
    'Sign in',
    `${errorSummary(error, '#username')}
<h1 class="nhsuk-heading-xl">Sign in</h1>
<p class="nhsuk-body">to continue to ${escapeHtml(options.clientName)}</p>
<form method="post" action="${base}/login" novalidate>
<div class="nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}">
<label class="nhsuk-label" for="username">Username or email address</label>
<input class="nhsuk-input" id="username" name="username" type="text" autocomplete="username" spellcheck="false" required value="${escapeHtml(options.username ?? '')}">
</div>
<div class="nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}">
<label class="nhsuk-label" for="password">Password</label>
<input class="nhsuk-input" id="password" name="password" type="password" autocomplete="current-password" required>
</div>
<button class="nhsuk-button" type="submit" data-module="nhsuk-button">Sign in</button>
</form>
${federation.length ? `<h2 class="nhsuk-heading-m">Or</h2>\n<p class="nhsuk-body">${federation.join('\n')}</p>` : ''}
<p class="nhsuk-body"><a class="nhsuk-link" href="${base}/abort">Cancel and return to the application</a></p>`,
  );
}

export interface ProfileChoice {
  id: string;
  organisation: string;
  role: string;
}

export function renderProfilePage(options: {
  uid: string;
  name: string;
  profiles: ProfileChoice[];
  error?: string;
}): string {
  const base = `/auth/interaction/${encodeURIComponent(options.uid)}`;
  const radios = options.profiles
    .map(
      (p, i) => `<div class="nhsuk-radios__item">
<input class="nhsuk-radios__input" id="profile-${i}" name="profile" type="radio" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}>
<label class="nhsuk-label nhsuk-radios__label" for="profile-${i}">${escapeHtml(p.role)} <span class="nhsuk-hint">at ${escapeHtml(p.organisation)}</span></label>
</div>`,
    )
    .join('\n');
  return page(
    'Choose your role',
    `${errorSummary(options.error, '#profile-0')}
<form method="post" action="${base}/profile">
<fieldset class="nhsuk-fieldset" aria-describedby="profile-hint">
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l"><h1 class="nhsuk-fieldset__heading">Choose your role</h1></legend>
<div class="nhsuk-hint" id="profile-hint">${escapeHtml(options.name)}, you work in more than one role. Choose the one you are working in now; what you can see depends on it.</div>
<div class="nhsuk-radios">
${radios}
</div>
</fieldset>
<button class="nhsuk-button" type="submit">Continue</button>
</form>`,
  );
}

export function renderMessagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return page(
    title,
    `<h1 class="nhsuk-heading-l">${escapeHtml(title)}</h1>
<div class="nhsuk-inset-text"><p class="nhsuk-body">${escapeHtml(message)}</p></div>
${link ? `<p class="nhsuk-body"><a class="nhsuk-link" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ''}`,
  );
}

export function renderErrorPage(message: string): string {
  return renderMessagePage('Sorry, there is a problem signing you in', message);
}

/** RP-initiated logout: `form` is the provider's hidden form (with its CSRF token). */
export function renderLogoutPage(form: string): string {
  return page(
    'Sign out',
    `<h1 class="nhsuk-heading-l">Do you want to sign out of CareWeave?</h1>
${form}
<button class="nhsuk-button" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button class="nhsuk-button nhsuk-button--secondary" type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}
