import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { formatDate } from './dates.ts';
import { DATA_CATEGORY_SYSTEM } from './fhir-display.ts';

/** The data categories of docs/ACCESS.md, in plain words for patients. */
export const CATEGORIES: { code: string; label: string; sensitive?: boolean }[] = [
  { code: 'demographics', label: 'Personal details (name, address, contacts)' },
  { code: 'problems', label: 'Health problems and conditions' },
  { code: 'medications', label: 'Medicines' },
  { code: 'allergies', label: 'Allergies' },
  { code: 'encounters', label: 'Visits, treatments and hospital stays' },
  { code: 'appointments', label: 'Appointments' },
  { code: 'observations', label: 'Measurements, such as blood pressure and weight' },
  { code: 'results', label: 'Test results' },
  { code: 'documents', label: 'Letters and documents' },
  { code: 'care-plans', label: 'Care plans, care teams and alerts' },
  { code: 'other', label: 'Other information' },
  { code: 'mental-health', label: 'Mental health', sensitive: true },
  { code: 'sexual-health', label: 'Sexual health', sensitive: true },
  { code: 'safeguarding', label: 'Safeguarding', sensitive: true },
  { code: 'social-care', label: 'Social care', sensitive: true },
];

const SHORT: Record<string, string> = {
  demographics: 'personal details',
  problems: 'health problems',
  medications: 'medicines',
  allergies: 'allergies',
  encounters: 'visits and hospital stays',
  appointments: 'appointments',
  observations: 'measurements',
  results: 'test results',
  documents: 'letters and documents',
  'care-plans': 'care plans',
  other: 'other information',
  'mental-health': 'mental health information',
  'sexual-health': 'sexual health information',
  safeguarding: 'safeguarding information',
  'social-care': 'social care information',
};

/**
 * The job roles a patient can pick when sharing with an organisation's staff in one role only
 * (docs/ACCESS.md, *Need to know*): national RBAC codes, in plain words.
 */
export const STAFF_ROLES: { code: string; label: string; short: string }[] = [
  { code: 'R8000', label: 'Doctors and other clinicians who lead care', short: 'doctors' },
  { code: 'R8001', label: 'Nurses', short: 'nurses' },
  {
    code: 'R8003',
    label: 'Other health and care professionals (for example physiotherapists, social workers, care managers)',
    short: 'health and care professionals',
  },
  { code: 'R8008', label: 'Care and support workers', short: 'care and support workers' },
];
export const RECIPIENT_ROLE_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/recipient-job-role';
const RBAC_SYSTEM = 'https://careweave.example/fhir/CodeSystem/rbac-job-role';

export interface SharingChoice {
  effect: 'permit' | 'deny';
  /**
   * `Organization/…`, `CareTeam/…`, `Practitioner/…` or `RelatedPerson/…`; none = everyone. `role`:
   * an organisation's staff in that RBAC job role only.
   */
  actor?: { reference: string; display: string; role?: string };
  categories: string[];
  /** yyyy-mm-dd, inclusive. */
  end?: string;
}

/** A patient's choice as the Consent resource docs/ACCESS.md defines. */
export function consentFor(patientId: string, choice: SharingChoice, today = new Date()): Consent {
  const provision: ConsentProvision = {
    type: choice.effect,
    period: { start: today.toISOString().slice(0, 10), ...(choice.end ? { end: `${choice.end}T23:59:59Z` } : {}) },
    ...(choice.actor
      ? {
          actor: [
            {
              ...(choice.actor.role
                ? {
                    extension: [
                      { url: RECIPIENT_ROLE_EXTENSION, valueCoding: { system: RBAC_SYSTEM, code: choice.actor.role } },
                    ],
                  }
                : {}),
              role: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                    code: 'IRCP',
                    display: 'information recipient',
                  },
                ],
              },
              reference: { reference: choice.actor.reference, display: choice.actor.display },
            },
          ],
        }
      : {}),
    ...(choice.categories.length
      ? { code: choice.categories.map((code) => ({ coding: [{ system: DATA_CATEGORY_SYSTEM, code }] })) }
      : {}),
  };
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/consentscope',
          code: 'patient-privacy',
          display: 'Privacy Consent',
        },
      ],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: today.toISOString(),
    performer: [{ reference: `Patient/${patientId}` }],
    policyRule: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
          code: choice.effect === 'permit' ? 'OPTIN' : 'OPTOUT',
        },
      ],
    },
    provision,
  };
}

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** One rule in plain English, e.g. "Southport and Ormskirk Hospital cannot see your mental health information." */
export function describeProvision(
  provision: ConsentProvision,
  nameOf: (reference: string) => string | undefined = () => undefined,
  you = 'your',
): string {
  const who = provision.actor?.length
    ? list(
        provision.actor.map((a) => {
          const name = a.reference?.display ?? nameOf(a.reference?.reference ?? '') ?? 'someone you named';
          const role = a.extension?.find((e) => e.url === RECIPIENT_ROLE_EXTENSION)?.valueCoding?.code;
          const staff = STAFF_ROLES.find((r) => r.code === role)?.short ?? (role ? `staff in role ${role}` : undefined);
          return staff ? `${name} (${staff} only)` : name;
        }),
      )
    : 'Everyone outside the organisation that holds it';
  const categories = (provision.code ?? []).flatMap((c) =>
    (c.coding ?? []).filter((x) => x.system === DATA_CATEGORY_SYSTEM).map((x) => SHORT[x.code ?? ''] ?? x.code ?? ''),
  );
  const what = categories.length ? `${you} ${list(categories)}` : `all of ${you} record`;
  const verb = provision.type === 'permit' ? 'can see' : 'cannot see';
  const until = provision.period?.end ? ` until ${formatDate(provision.period.end.slice(0, 10))}` : '';
  const from =
    provision.period?.start && Date.parse(provision.period.start) > Date.now()
      ? ` from ${formatDate(provision.period.start.slice(0, 10))}`
      : '';
  return `${who} ${verb} ${what}${from}${until}.`;
}

/** Whether a Consent is in force now (active, and its period not ended). */
export function inForce(consent: Consent, now = Date.now()): boolean {
  const end = consent.provision?.period?.end;
  return consent.status === 'active' && (!end || Date.parse(end) >= now);
}
