/**
 * The alert as the record keeps it (pure): one FHIR `Communication` per occasion (admission, A&E
 * attendance, transfer, discharge), `about` the Encounter, `recipient` each person told, the later
 * ones `inResponseTo` and `partOf` the first — one thread per visit — and the words each person reads.
 */
import { createHash } from 'node:crypto';
import type { Communication, Encounter, Extension, Patient, Reference } from '@medplum/fhirtypes';
import type { AlertEvent, AlertOccasion } from './occasion.ts';
import type { NotTold } from './involved.ts';

export const ALERT_CATEGORY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/communication-category';
export const ALERT_EVENT_SYSTEM = 'https://careweave.example/fhir/CodeSystem/admission-alert-event';
/** Identifies one occasion's alert: `Encounter/<id>/<occasion key>` (idempotency). */
export const ALERT_IDENTIFIER_SYSTEM = 'https://careweave.example/fhir/Id/admission-alert';
/** Shared by every alert of one visit: `Encounter/<id>` (the thread). */
export const THREAD_IDENTIFIER_SYSTEM = 'https://careweave.example/fhir/Id/admission-alert-thread';
export const NOT_TOLD_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/admission-alert-not-told';

/**
 * The id of a visit's alert or follow-up step, from what it is (`Encounter/<id>` and a key): a read by
 * id finds it again (idempotency, the thread) in constant time, where a search by identifier would
 * slow as the record's Communications and Tasks grow. The key `thread` names the visit's first alert.
 */
export function recordId(about: string, key: string): string {
  return `aa-${createHash('sha256').update(`${about}|${key}`).digest('hex').slice(0, 40)}`;
}

/** The texts: no name, no digits, no place (docs/NOTIFICATIONS.md), so they are sent as written. */
export const ADMISSION_SMS = 'CareWeave: a patient of yours was admitted to hospital. Sign in to see who.';
const SMS: Record<AlertEvent, { staff: string; carer: string }> = {
  admission: {
    staff: ADMISSION_SMS,
    carer: 'CareWeave: someone you care for was admitted to hospital. Sign in to see more.',
  },
  attendance: {
    staff: 'CareWeave: a patient of yours is in A&E. Sign in to see who.',
    carer: 'CareWeave: someone you care for is in A&E. Sign in to see more.',
  },
  transfer: {
    staff: 'CareWeave: a patient of yours in hospital has moved ward. Sign in to see who.',
    carer: 'CareWeave: someone you care for has moved in hospital. Sign in to see more.',
  },
  discharge: {
    staff: 'CareWeave: a patient of yours has left hospital. Sign in to see who.',
    carer: 'CareWeave: someone you care for has left hospital. Sign in to see more.',
  },
  cancelled: {
    staff: 'CareWeave: cancelled - an admission alert about a patient of yours was sent in error. Sign in to see who.',
    carer: 'CareWeave: cancelled - an alert about someone you care for was sent in error. Sign in to see more.',
  },
  'transfer-cancelled': {
    staff: 'CareWeave: a ward move of a patient of yours was cancelled. Sign in to see who.',
    carer: 'CareWeave: a move in hospital of someone you care for was cancelled. Sign in to see more.',
  },
  'discharge-cancelled': {
    staff: 'CareWeave: a patient of yours has not left hospital after all. Sign in to see who.',
    carer: 'CareWeave: someone you care for has not left hospital after all. Sign in to see more.',
  },
};

/**
 * Admissions, attendances and their cancellation are urgent (texts go in quiet hours: someone may be
 * acting on an admission that did not happen, H-159); moves, discharges and their corrections routine.
 */
export function priorityOf(event: AlertEvent): 'urgent' | 'routine' {
  return event === 'admission' || event === 'attendance' || event === 'cancelled' ? 'urgent' : 'routine';
}

export function smsFor(event: AlertEvent, recipient: string): string {
  return recipient.startsWith('RelatedPerson/') ? SMS[event].carer : SMS[event].staff;
}

export function patientName(patient: Patient): string {
  const n = patient.name?.[0];
  return n?.text ?? ([...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || 'Your patient');
}

/** Title and inbox text (shown only after sign-in, to someone who may see the Encounter). */
export function wordsFor(
  occasion: AlertOccasion,
  patient: Patient,
  encounter: Encounter,
  hospital: string | undefined,
): { title: string; text: string } {
  const who = patientName(patient);
  const where = [hospital, occasion.where].filter(Boolean).join(', ');
  const on = (at: string | undefined) => (at ? ` on ${at.slice(0, 10)}` : '');
  switch (occasion.event) {
    case 'admission':
      return {
        title: `${who} was admitted to hospital`,
        text: `${who} was admitted${where ? ` to ${where}` : ''}${on(encounter.period?.start)}.`,
      };
    case 'attendance':
      return {
        title: `${who} is in A&E`,
        text: `${who} attended A&E${hospital ? ` at ${hospital}` : ''}${on(encounter.period?.start)}.`,
      };
    case 'transfer':
      return { title: `${who} has moved in hospital`, text: `${who} is now at ${where || 'another location'}.` };
    case 'discharge':
      return {
        title: `${who} has left hospital`,
        text: `${who} was discharged${hospital ? ` from ${hospital}` : ''}${on(encounter.period?.end)}.`,
      };
    case 'cancelled': {
      const what = encounter.class?.code === 'EMER' ? 'A&E attendance' : 'admission';
      return {
        title: `Cancelled — ${who} was admitted in error`,
        text: `Cancelled — admitted in error: the ${what} of ${who}${where ? ` at ${where}` : ''}${on(encounter.period?.start)} was recorded in error and did not happen. Disregard the earlier alert.`,
      };
    }
    case 'transfer-cancelled':
      return {
        title: `${who}'s move in hospital was cancelled`,
        text: `The last move of ${who} was recorded in error: ${who} is at ${where || 'the earlier location'}.`,
      };
    case 'discharge-cancelled':
      return {
        title: `${who} has not left hospital`,
        text: `The discharge of ${who}${hospital ? ` from ${hospital}` : ''} was cancelled: ${who} is still in hospital${occasion.where ? ` (${occasion.where})` : ''}. The discharge follow-up is withdrawn.`,
      };
  }
}

export interface AlertInput {
  id: string;
  encounter: Encounter & { id: string };
  occasion: AlertOccasion;
  text: string;
  told: readonly string[];
  notTold: readonly NotTold[];
  /** The first alert of the visit, when this one is not it. */
  thread?: string;
  sent: Date;
}

/**
 * The Communication. It carries the Encounter's security labels and source, so it is exactly as
 * sensitive as what it is about: nobody may read the alert who may not read the admission (H-152).
 */
export function alertCommunication(input: AlertInput): Communication {
  const { encounter, occasion } = input;
  const about = `Encounter/${encounter.id}`;
  const first: Reference<Communication>[] | undefined = input.thread ? [{ reference: input.thread }] : undefined;
  const security = encounter.meta?.security;
  const source = encounter.meta?.source;
  return {
    resourceType: 'Communication',
    id: input.id,
    ...(security?.length || source
      ? { meta: { ...(security?.length ? { security } : {}), ...(source ? { source } : {}) } }
      : {}),
    identifier: [
      { system: ALERT_IDENTIFIER_SYSTEM, value: `${about}/${occasion.key}` },
      { system: THREAD_IDENTIFIER_SYSTEM, value: about },
    ],
    status: 'completed',
    category: [
      { coding: [{ system: ALERT_CATEGORY_SYSTEM, code: 'admission-alert', display: 'Admission alert' }] },
      { coding: [{ system: ALERT_EVENT_SYSTEM, code: occasion.event }] },
    ],
    priority: priorityOf(occasion.event),
    subject: encounter.subject!,
    about: [{ reference: about }],
    ...(first ? { inResponseTo: first, partOf: first } : {}),
    ...(input.told.length ? { recipient: input.told.map((reference) => ({ reference })) } : {}),
    sent: input.sent.toISOString(),
    payload: [{ contentString: input.text }],
    ...(input.notTold.length
      ? {
          extension: input.notTold.map((n): Extension => ({
            url: NOT_TOLD_EXTENSION,
            extension: [
              { url: 'who', valueReference: { reference: n.reference } },
              { url: 'reason', valueCode: n.reason },
            ],
          })),
        }
      : {}),
  };
}
