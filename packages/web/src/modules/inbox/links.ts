import type { Role } from '../contract.ts';
import type { Notification, Reference } from './api.ts';

/**
 * The link on a notification: to what it is about when this app shows that; for staff, else to the
 * record of the patient it concerns (a result or an admission is read in the patient's record).
 */
export function notificationLink(
  item: Pick<Notification, 'about' | 'subject'> & { kind?: string },
  role: Role | undefined,
): { href: string; text: string } | undefined {
  const thread = role === 'staff' ? alertThreadHref(item) : undefined;
  if (thread) {
    return { href: thread, text: 'Open the admission alert' };
  }
  const about = aboutHref(item.about, role);
  if (about && item.about) {
    return { href: about, text: `Go to ${referenceText(item.about)}` };
  }
  const record = role === 'staff' ? aboutHref(item.subject, role) : undefined;
  return record && item.subject ? { href: record, text: `Open ${referenceText(item.subject)}’s record` } : undefined;
}

/**
 * An admission alert (about the Encounter) or an overdue discharge follow-up (about its Task) opens the
 * visit's alert thread page (docs/ADMISSION-ALERTS.md, "The thread page"), for staff.
 */
function alertThreadHref(item: { kind?: string; about?: Reference }): string | undefined {
  const [type, id] = item.about?.reference.split('/').slice(-2) ?? [];
  if (item.kind === 'admission-notice' && type === 'Encounter' && id) {
    return `/admission-alerts/${encodeURIComponent(id)}`;
  }
  if (item.kind === 'admission-follow-up' && type === 'Task' && id) {
    return `/admission-alerts/follow-up/${encodeURIComponent(id)}`;
  }
  return undefined;
}

/** Where a notification's `about` reference is shown in this app, for this person; none when nowhere. */
export function aboutHref(about: Reference | undefined, role: Role | undefined): string | undefined {
  const [type, id] = about?.reference.split('/').slice(-2) ?? [];
  if (!type || !id) {
    return undefined;
  }
  if (role === 'staff') {
    return STAFF_PAGES[type]?.(id);
  }
  return role ? PORTAL_PAGES[type] : undefined;
}

const STAFF_PAGES: Record<string, (id: string) => string> = {
  Patient: (id) => `/patients/${encodeURIComponent(id)}`,
  MedicationRequest: () => '/practice/repeat-requests',
};

/** The portal shows one person's things by kind, not one page per resource. */
const PORTAL_PAGES: Record<string, string> = {
  Appointment: '/my/appointments',
  MedicationRequest: '/my/prescriptions',
  Consent: '/my/sharing',
  AuditEvent: '/my/access-log',
  Communication: '/my/messages',
};

/** What a reference is called: its display, else its type and id. */
export function referenceText(reference: Reference): string {
  return reference.display ?? reference.reference;
}
