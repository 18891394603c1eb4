import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { CATEGORIES } from './consent.ts';
import { formatDateTime } from './dates.ts';

/**
 * The patient's "who can see what" summary (`GET Patient/{id}/$sharing-summary`, docs/FHIR.md) and
 * its wording for people: what each organisation, person or carer can see, and why.
 */
export interface SummaryCell {
  category: string;
  visible: boolean;
  basis: string[];
  onlyRoles: string[];
}

export interface SummaryRecipient {
  reference: string;
  name: string;
  kind: 'organisation' | 'person' | 'carer';
  role?: string;
  organisationType?: string;
  organisations: string[];
  relationships: { kind: string; until?: string }[];
  seesSharingChoices: boolean;
  cells: SummaryCell[];
}

export interface EmergencyAccess {
  practitioner: string;
  organisation: string;
  until: string;
}

export interface SharingSummary {
  recipients: SummaryRecipient[];
  emergency: EmergencyAccess[];
}

/** Whose record the page speaks of: "you" for the patient, their name for a carer. */
export interface Subject {
  /** "you" or "Jane Smith" */
  you: string;
  /** "your" or "Jane Smith's" */
  your: string;
}

export const patientSubject: Subject = { you: 'you', your: 'your' };

export function carerSubject(name: string): Subject {
  return { you: name, your: `${name}’s` };
}

const parts = (p: ParametersParameter, name: string): ParametersParameter[] =>
  (p.part ?? []).filter((x) => x.name === name);
const code = (p: ParametersParameter, name: string): string | undefined => parts(p, name)[0]?.valueCode;

/** Reads the Parameters answer; unknown parameters are ignored. */
export function parseSharingSummary(resource: Parameters): SharingSummary {
  const parameters = resource.parameter ?? [];
  const recipients = parameters
    .filter((p) => p.name === 'recipient')
    .map((p): SummaryRecipient => {
      const reference = parts(p, 'reference')[0]?.valueReference;
      return {
        reference: reference?.reference ?? '',
        name: parts(p, 'display')[0]?.valueString ?? reference?.display ?? 'Someone',
        kind: (code(p, 'kind') ?? 'organisation') as SummaryRecipient['kind'],
        role: code(p, 'role'),
        organisationType: code(p, 'organisationType'),
        organisations: parts(p, 'organisation').map(
          (o) => o.valueReference?.display ?? o.valueReference?.reference ?? '',
        ),
        relationships: parts(p, 'relationship').map((r) => ({
          kind: code(r, 'kind') ?? '',
          until: parts(r, 'until')[0]?.valueDateTime,
        })),
        seesSharingChoices: parts(p, 'seesSharingChoices')[0]?.valueBoolean === true,
        cells: parts(p, 'category').map((c) => ({
          category: code(c, 'code') ?? '',
          visible: parts(c, 'visible')[0]?.valueBoolean === true,
          basis: parts(c, 'basis').flatMap((b) => (b.valueCode ? [b.valueCode] : [])),
          onlyRoles: parts(c, 'onlyRole').flatMap((b) => (b.valueCode ? [b.valueCode] : [])),
        })),
      };
    });
  const emergency = parameters
    .filter((p) => p.name === 'emergencyAccess')
    .map((p) => ({
      practitioner: parts(p, 'practitioner')[0]?.valueReference?.display ?? 'A member of staff',
      organisation: parts(p, 'organisation')[0]?.valueReference?.display ?? 'an organisation',
      until: parts(p, 'until')[0]?.valueDateTime ?? '',
    }));
  return { recipients, emergency };
}

/** Categories the consent wording does not know yet. */
const MORE_CATEGORIES: Record<string, string> = {
  appointments: 'Appointments',
};

/** A data category in plain words, e.g. "Test results". */
export function categoryLabel(category: string): string {
  return CATEGORIES.find((c) => c.code === category)?.label ?? MORE_CATEGORIES[category] ?? category;
}

/** RBAC job roles as people know them (plural: "only their nurses"). */
const ROLES: Record<string, string> = {
  R8000: 'doctors and other clinicians',
  R8001: 'nurses',
  R8003: 'health and social care professionals',
  R8008: 'admin and clinical support staff',
  R8010: 'receptionists and clerks',
  R8012: 'information officers',
  R8013: 'health records managers',
  R0001: 'privacy officers',
};

export function roleLabel(role: string): string {
  return ROLES[role] ?? `staff in role ${role}`;
}

/** The recipient's name as a heading: "Southport Hospital (nurses only)". */
export function recipientTitle(recipient: SummaryRecipient): string {
  if (recipient.role) {
    return `${recipient.name}: ${roleLabel(recipient.role)} only`;
  }
  if (recipient.kind === 'person' && recipient.organisations.length) {
    return `${recipient.name}, ${recipient.organisations.join(', ')}`;
  }
  return recipient.name;
}

/** Why they can (or cannot) see a category, in sentences about the patient or the person cared for. */
export function reasonText(cell: SummaryCell, subject: Subject = patientSubject): string {
  const you = capitalise(subject.you);
  const reasons: Record<string, string> = {
    'own-record': `It is their own record of ${subject.your} care.`,
    agreement: `They care for ${subject.you}, and the organisation that holds it has agreed to share it with them.`,
    permission: `${you} allowed them to see it.`,
  };
  if (cell.visible) {
    const why = Object.keys(reasons).filter((basis) => cell.basis.includes(basis));
    const roles = cell.onlyRoles.length ? [`Only their ${list(cell.onlyRoles.map(roleLabel))} can see it.`] : [];
    return [...(why.length ? why.map((basis) => reasons[basis]!) : ['The sharing rules allow it.']), ...roles].join(
      ' ',
    );
  }
  if (cell.basis.includes('agreement-no-relationship') || cell.basis.includes('own-record-no-relationship')) {
    return `Not now. They could see it if they start caring for ${subject.you}.`;
  }
  if (cell.basis.includes('withheld-by-you')) {
    return `${you} stopped them seeing it.`;
  }
  return 'It is not shared with them.';
}

/** How they know the patient, e.g. "You are registered with them". */
export function relationshipText(relationship: { kind: string; until?: string }, subject = patientSubject): string {
  const you = capitalise(subject.you);
  const are = subject.you === 'you' ? 'are' : 'is';
  switch (relationship.kind) {
    case 'registered':
      return `${you} ${are} registered with them`;
    case 'care-team':
      return `They are in ${subject.your} care team`;
    case 'referral':
      return `${you} ${are} referred to them`;
    case 'encounter':
      return `They are seeing or treating ${subject.you} now`;
    case 'episode':
      return `They are looking after ${subject.you} (an open episode of care)`;
    case 'declared':
      return `They said they are caring for ${subject.you}${relationship.until ? `, until ${formatDateTime(relationship.until)}` : ''}`;
    default:
      return `They have a care relationship with ${subject.you}`;
  }
}

/** "Can see 4 of 9 kinds of information" */
export function visibleSummary(recipient: SummaryRecipient): string {
  const visible = recipient.cells.filter((c) => c.visible).length;
  if (visible === 0) {
    return 'Cannot see anything now';
  }
  return visible === recipient.cells.length
    ? 'Can see everything'
    : `Can see ${visible} of ${recipient.cells.length} kinds of information`;
}

/** Split for the page: who sees something now; who could if they started caring; who sees nothing. */
export function groupRecipients(recipients: SummaryRecipient[]): {
  now: SummaryRecipient[];
  couldSee: SummaryRecipient[];
  nothing: SummaryRecipient[];
} {
  const could = (r: SummaryRecipient) =>
    r.cells.some(
      (c) => c.basis.includes('agreement-no-relationship') || c.basis.includes('own-record-no-relationship'),
    );
  const sees = (r: SummaryRecipient) => r.cells.some((c) => c.visible);
  return {
    now: recipients.filter(sees),
    couldSee: recipients.filter((r) => !sees(r) && could(r)),
    nothing: recipients.filter((r) => !sees(r) && !could(r)),
  };
}

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
  'mental-health': 'mental health',
  'sexual-health': 'sexual health',
  safeguarding: 'safeguarding',
  'social-care': 'social care',
};

const couldSeeCategories = (recipient: SummaryRecipient): string[] =>
  recipient.cells
    .filter((c) => c.basis.includes('agreement-no-relationship') || c.basis.includes('own-record-no-relationship'))
    .map((c) => c.category);

/**
 * Those who could see parts of the record if they started caring for the patient, grouped by what
 * they could see (many organisations share under one agreement): one line per group.
 */
export function couldSeeGroups(recipients: SummaryRecipient[]): { names: string[]; what: string }[] {
  const groups = new Map<string, { names: string[]; what: string }>();
  for (const recipient of recipients) {
    const categories = couldSeeCategories(recipient);
    const key = categories.join(',');
    const group = groups.get(key) ?? { names: [], what: capitalise(list(categories.map((c) => SHORT[c] ?? c))) };
    group.names.push(recipientTitle(recipient));
    groups.set(key, group);
  }
  return [...groups.values()];
}

export function emergencyText(access: EmergencyAccess, subject = patientSubject): string {
  return `${access.practitioner} at ${access.organisation} is using emergency access to ${subject.your} whole record until ${formatDateTime(access.until)}.`;
}

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
