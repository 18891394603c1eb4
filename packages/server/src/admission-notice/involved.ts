/**
 * The people involved in a patient's care, from the record (read as the module's system actor; each
 * person's own view then decides whether they are told, in the notifications service): the
 * registered practice's GPs, the current participants of the patient's active CareTeams (the care
 * coordinator among them) and, only with the patient's permit, their circle of support.
 */
import type {
  CareTeam,
  CareTeamParticipant,
  Consent,
  ConsentProvision,
  Patient,
  PractitionerRole,
  RelatedPerson,
} from '@medplum/fhirtypes';
import { DATA_CATEGORY_SYSTEM } from '@careweave/vocabulary';
import type { ResourceService } from '../fhir/store/resource.service.ts';

const PRACTITIONER_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/practitioner-role';
export const CARE_TEAM_ROLE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-team-role';
/** A practice with more GPs than this is told through the first ones (by id): a bound on fan-out. */
const MAX_GPS = 20;
/** Bounds on what one alert reads (an alert storm must not become a database storm, H-154). */
const MAX_TEAMS = 50;
const MAX_CONSENTS = 50;
const ID = /^[A-Za-z0-9.-]{1,64}$/;

export type InvolvedRole = 'gp' | 'care-team' | 'care-coordinator' | 'circle-of-support';

/** Someone who may be told, and why they are involved. */
export interface Candidate {
  reference: string;
  roles: InvolvedRole[];
}

/** Someone involved who is not told individually (an organisation on a care team), and why. */
export interface NotTold {
  reference: string;
  reason: 'organisation-member' | 'needs-consent' | 'refused';
}

export interface Involved {
  candidates: Candidate[];
  notTold: NotTold[];
}

function idOf(reference: string | undefined, type: string): string | undefined {
  const [t, id, extra] = (reference ?? '').split('/');
  return t === type && id && !extra && ID.test(id) ? id : undefined;
}

async function readJson<T>(resources: ResourceService, type: string, id: string): Promise<T | undefined> {
  try {
    return JSON.parse((await resources.read(type, id)).json ?? '{}') as T;
  } catch {
    return undefined;
  }
}

/** The practices the patient is registered with (`generalPractitioner` naming an Organization). */
export function registeredPractices(patient: Patient): string[] {
  return (patient.generalPractitioner ?? [])
    .map((gp) => gp.reference ?? '')
    .filter((reference) => idOf(reference, 'Organization') !== undefined);
}

/**
 * The patient's registered GP: Patient.generalPractitioner naming a Practitioner, or, when it names
 * the practice (an Organization), the practice's active doctors (PractitionerRole with the HL7 role
 * `doctor`), at most MAX_GPS.
 */
export async function registeredGps(resources: ResourceService, patient: Patient): Promise<string[]> {
  const found = new Set<string>();
  for (const gp of patient.generalPractitioner ?? []) {
    const reference = gp.reference ?? '';
    if (idOf(reference, 'Practitioner')) {
      found.add(reference);
    } else if (idOf(reference, 'Organization')) {
      (await practiceGps(resources, reference)).forEach((doctor) => found.add(doctor));
    }
  }
  return [...found].slice(0, MAX_GPS);
}

/** A practice's active doctors (PractitionerRole with the HL7 role `doctor`), at most MAX_GPS, by id. */
export async function practiceGps(resources: ResourceService, practice: string): Promise<string[]> {
  const roles = await resources.search('PractitionerRole', [
    ['organization', practice],
    ['role', `${PRACTITIONER_ROLE_SYSTEM}|doctor`],
    ['active', 'true'],
    ['_sort', '_id'],
    ['_count', String(MAX_GPS)],
  ]);
  const found = new Set<string>();
  for (const entry of roles.entry ?? []) {
    const practitioner = (entry.resource as PractitionerRole).practitioner?.reference;
    if (idOf(practitioner, 'Practitioner')) {
      found.add(practitioner!);
    }
  }
  return [...found];
}

/** True when `period` (either end open) covers `now`. */
export function covers(period: { start?: string; end?: string } | undefined, now: Date): boolean {
  const t = now.getTime();
  return (!period?.start || Date.parse(period.start) <= t) && (!period?.end || Date.parse(period.end) >= t);
}

/** Whether a participant holds a role of the care-team-role system with `code`. */
export function hasRole(participant: CareTeamParticipant, code: string): boolean {
  return (participant.role ?? []).some((r) =>
    r.coding?.some((c) => c.system === CARE_TEAM_ROLE_SYSTEM && c.code === code),
  );
}

/**
 * The current participants of the patient's active care teams (docs/ACCESS.md rule 2: `status`
 * active or absent, `participant.period` covering now). A PractitionerRole member is its
 * practitioner; an Organization member is recorded, not told (no one person is "the organisation").
 */
export async function careTeamMembers(resources: ResourceService, patientId: string, now: Date): Promise<Involved> {
  const bundle = await resources.search('CareTeam', [
    ['subject', `Patient/${patientId}`],
    ['_count', String(MAX_TEAMS)],
  ]);
  const candidates = new Map<string, Set<InvolvedRole>>();
  const notTold = new Map<string, NotTold>();
  for (const entry of bundle.entry ?? []) {
    const team = entry.resource as CareTeam;
    if (team.status !== undefined && team.status !== 'active') {
      continue;
    }
    for (const participant of team.participant ?? []) {
      if (!covers(participant.period, now)) {
        continue;
      }
      let member = participant.member?.reference;
      const roleId = idOf(member, 'PractitionerRole');
      if (roleId) {
        member = (await readJson<PractitionerRole>(resources, 'PractitionerRole', roleId))?.practitioner?.reference;
      }
      if (idOf(member, 'Practitioner')) {
        const roles = candidates.get(member!) ?? new Set<InvolvedRole>();
        roles.add(hasRole(participant, 'care-coordinator') ? 'care-coordinator' : 'care-team');
        candidates.set(member!, roles);
      } else if (idOf(member, 'Organization')) {
        notTold.set(member!, { reference: member!, reason: 'organisation-member' });
      } else if (member) {
        // A patient or a carer on the team is told only with the patient's permit (the circle of support).
        notTold.set(member, { reference: member, reason: 'needs-consent' });
      }
    }
  }
  return {
    candidates: [...candidates].map(([reference, roles]) => ({ reference, roles: [...roles] })),
    notTold: [...notTold.values()],
  };
}

/** Whether one provision permits `encounters` now (no codes means every category). */
function permitsEncounters(provision: ConsentProvision, now: Date): boolean {
  if (provision.type !== 'permit' || !covers(provision.period, now)) {
    return false;
  }
  const codes = (provision.code ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === DATA_CATEGORY_SYSTEM);
  return (provision.code ?? []).length === 0 || codes.some((c) => c.code === 'encounters');
}

/** Every provision of a Consent, top level and nested, each a rule of its own (docs/ACCESS.md). */
function provisions(provision: ConsentProvision | undefined): ConsentProvision[] {
  return provision ? [provision, ...(provision.provision ?? []).flatMap(provisions)] : [];
}

/**
 * RelatedPersons of the patient that an active `patient-privacy` Consent of theirs permits to see
 * `encounters` now. The permit is the patient's choice: without it, a carer is not told, however
 * close. (Their own view is checked again before anything is sent.)
 */
export async function circleOfSupport(resources: ResourceService, patientId: string, now: Date): Promise<string[]> {
  const bundle = await resources.search('Consent', [
    ['patient', `Patient/${patientId}`],
    ['status', 'active'],
    ['_count', String(MAX_CONSENTS)],
  ]);
  const named = new Set<string>();
  for (const entry of bundle.entry ?? []) {
    const consent = entry.resource as Consent;
    if (!consent.scope?.coding?.some((c) => c.code === 'patient-privacy') || !covers(consent.provision?.period, now)) {
      continue;
    }
    for (const rule of provisions(consent.provision)) {
      if (permitsEncounters(rule, now)) {
        for (const actor of rule.actor ?? []) {
          if (idOf(actor.reference.reference, 'RelatedPerson')) {
            named.add(actor.reference.reference!);
          }
        }
      }
    }
  }
  const circle: string[] = [];
  for (const reference of named) {
    const person = await readJson<RelatedPerson>(resources, 'RelatedPerson', idOf(reference, 'RelatedPerson')!);
    if (person && person.active !== false && idOf(person.patient?.reference, 'Patient') === patientId) {
      circle.push(reference);
    }
  }
  return circle.sort();
}

/** Everyone involved, each once with every reason they are involved, in a stable order. */
export async function involvedIn(resources: ResourceService, patient: Patient, now: Date): Promise<Involved> {
  const roles = new Map<string, Set<InvolvedRole>>();
  const add = (reference: string, role: InvolvedRole) =>
    roles.set(reference, (roles.get(reference) ?? new Set<InvolvedRole>()).add(role));
  for (const gp of await registeredGps(resources, patient)) {
    add(gp, 'gp');
  }
  const team = await careTeamMembers(resources, patient.id!, now);
  for (const member of team.candidates) {
    member.roles.forEach((role) => add(member.reference, role));
  }
  for (const person of await circleOfSupport(resources, patient.id!, now)) {
    add(person, 'circle-of-support');
  }
  return {
    candidates: [...roles]
      .map(([reference, set]) => ({ reference, roles: [...set].sort() }))
      .sort((a, b) => a.reference.localeCompare(b.reference)),
    notTold: team.notTold,
  };
}
