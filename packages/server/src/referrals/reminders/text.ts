/**
 * The reminder's words (pure). A text may be read by anyone who sees the phone's lock screen, so it
 * names the place and the provider, never the service or clinic — "Dermatology two-week-wait skin
 * cancer clinic" would tell them why (H-258). Times are Europe/London.
 */
import type { Patient } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';

export interface ReminderFacts {
  firstName?: string;
  start: string;
  place?: string;
  provider?: string;
}

export function reminderText(facts: ReminderFacts, now: Date): string {
  const start = DateTime.fromISO(facts.start).setZone('Europe/London');
  const today = DateTime.fromJSDate(now).setZone('Europe/London').startOf('day');
  const day = start.startOf('day').diff(today, 'days').days;
  const when = day === 1 ? `tomorrow, ${start.toFormat('cccc d LLLL')}` : start.toFormat('cccc d LLLL');
  const where = [facts.place, facts.provider].filter(Boolean).join(', ');
  const hello = facts.firstName ? `${facts.firstName}, you` : 'You';
  return (
    `${hello} have a hospital or clinic appointment ${when} at ${start.toFormat('HH:mm')}` +
    `${where ? ` at ${where}` : ''}. ` +
    'To change or cancel it, sign in to your CareWeave patient portal or contact the service. ' +
    'Reply STOP to stop texts from CareWeave.'
  );
}

export function firstNameOf(patient: Patient): string | undefined {
  const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
  return name?.given?.[0];
}

/** UK Core's contact preference (PDS): a patient who asked for no telephone contact is not texted. */
const CONTACT_PREFERENCE = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference';
const NO_TELEPHONE_CONTACT = '8';

/** Why the patient must not be texted a reminder, or undefined when they may be. */
export function notTextable(patient: Patient): string | undefined {
  if (patient.deceasedBoolean || patient.deceasedDateTime) {
    return 'deceased';
  }
  const methods = (patient.extension ?? [])
    .filter((e) => e.url === CONTACT_PREFERENCE)
    .flatMap((e) => e.extension ?? [])
    .filter((e) => e.url === 'PreferredContactMethod')
    .flatMap((e) => e.valueCodeableConcept?.coding ?? []);
  if (methods.some((c) => c.code === NO_TELEPHONE_CONTACT || /no telephone/i.test(c.display ?? ''))) {
    return 'no telephone contact';
  }
  return undefined;
}

/** The patient's current contact points (one whose period has ended is an old number). */
export function currentTelecom(patient: Patient, now: Date): Patient['telecom'] {
  return (patient.telecom ?? []).filter((t) => !t.period?.end || Date.parse(t.period.end) > now.getTime());
}
