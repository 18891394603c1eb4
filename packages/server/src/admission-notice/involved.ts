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
  Resource,
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

/**
 * The resources of one type with these ids, by id, read in as few `_id` searches as the page size
 * allows (one audited search for a whole batch of alerts instead of one read each).
 */
export async function readManyOf<T extends Resource>(
  resources: ResourceService,
  type: string,
  ids: Iterable<string>,
): Promise<Map<string, T>> {
  const list = [...new Set(ids)].filter((id) => ID.test(id));
  const found = new Map<string, T>();
  const size = Math.max(1, Math.min(100, resources.options.maxPageSize));
  for (let at = 0; at < list.length; at += size) {
    const chunk = list.slice(at, at + size);
    const bundle = await resources.search(type, [
      ['_id', chunk.join(',')],
      ['_count', String(chunk.length)],
    ]);
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource as T | undefined;
      if (resource?.id) {
        found.set(resource.id, resource);
      }
    }
  }
  return found;
}

/** `Type/id` of a reference written relative, absolute (`…/fhir/R4/Type/id`) or with a version. */
function localReference(reference: string | undefined): string {
  const match = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference ?? '');
  return match?.[1] ?? '';
}

/**
 * Searches `type` for each of `keys` with `param` (an OR list, several keys a search), grouped by
 * `keyOf`. A bound of `perKey` per key is kept exactly: when a search comes back with a full page
 * some key may have more than its share, so those keys are searched again one at a time.
 */
async function searchGrouped<T extends Resource>(
  resources: ResourceService,
  type: string,
  param: string,
  keys: readonly string[],
  perKey: number,
  extra: [string, string][],
  keyOf: (resource: T) => string | undefined,
): Promise<Map<string, T[]>> {
  const grouped = new Map<string, T[]>(keys.map((key) => [key, []]));
  const search = async (chunk: readonly string[], count: number) => {
    const bundle = await resources.search(type, [[param, chunk.join(',')], ...extra, ['_count', String(count)]]);
    return (bundle.entry ?? []).map((e) => e.resource as T);
  };
  const pageSize = Math.max(1, resources.options.maxPageSize);
  const perSearch = Math.max(1, Math.min(50, Math.floor(pageSize / perKey)));
  const unique = [...new Set(keys)];
  for (let at = 0; at < unique.length; at += perSearch) {
    const chunk = unique.slice(at, at + perSearch);
    const count = Math.min(pageSize, chunk.length * perKey);
    const found = chunk.length > 1 ? await search(chunk, count) : [];
    // One key, a page that may have cut some key's share short, or a resource whose reference is not
    // written as a plain `Type/id` (it cannot be grouped safely): each alone, as the single read did.
    const keys = new Set(chunk);
    const again =
      chunk.length === 1 || found.length >= count || found.some((r) => !keys.has(localReference(keyOf(r))))
        ? chunk
        : [];
    if (!again.length) {
      for (const resource of found) {
        grouped.get(localReference(keyOf(resource)))!.push(resource);
      }
    }
    for (const key of again) {
      grouped.set(key, await search([key], Math.min(pageSize, perKey)));
    }
  }
  return grouped;
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
  const practices = await practiceGpsMany(resources, registeredPractices(patient));
  return gpsOf(patient, practices);
}

function gpsOf(patient: Patient, practices: ReadonlyMap<string, string[]>): string[] {
  const found = new Set<string>();
  for (const gp of patient.generalPractitioner ?? []) {
    const reference = gp.reference ?? '';
    if (idOf(reference, 'Practitioner')) {
      found.add(reference);
    } else if (idOf(reference, 'Organization')) {
      (practices.get(reference) ?? []).forEach((doctor) => found.add(doctor));
    }
  }
  return [...found].slice(0, MAX_GPS);
}

/** A practice's active doctors (PractitionerRole with the HL7 role `doctor`), at most MAX_GPS, by id. */
export async function practiceGps(resources: ResourceService, practice: string): Promise<string[]> {
  return (await practiceGpsMany(resources, [practice])).get(practice) ?? [];
}

/** `practiceGps` for several practices (`Organization/…`), searched together. */
export async function practiceGpsMany(
  resources: ResourceService,
  practices: readonly string[],
): Promise<Map<string, string[]>> {
  const roles = await searchGrouped<PractitionerRole>(
    resources,
    'PractitionerRole',
    'organization',
    practices,
    MAX_GPS,
    [
      ['role', `${PRACTITIONER_ROLE_SYSTEM}|doctor`],
      ['active', 'true'],
      ['_sort', '_id'],
    ],
    (role) => role.organization?.reference,
  );
  const gps = new Map<string, string[]>();
  for (const [practice, found] of roles) {
    const doctors = new Set<string>();
    for (const role of found.slice(0, MAX_GPS)) {
      const practitioner = role.practitioner?.reference;
      if (idOf(practitioner, 'Practitioner')) {
        doctors.add(practitioner!);
      }
    }
    gps.set(practice, [...doctors]);
  }
  return gps;
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
  return (await careTeamMembersMany(resources, [patientId], now)).get(patientId)!;
}

/** `careTeamMembers` for several patients: one CareTeam search and one PractitionerRole read for all. */
export async function careTeamMembersMany(
  resources: ResourceService,
  patientIds: readonly string[],
  now: Date,
): Promise<Map<string, Involved>> {
  const teams = await searchGrouped<CareTeam>(
    resources,
    'CareTeam',
    'subject',
    patientIds.map((id) => `Patient/${id}`),
    MAX_TEAMS,
    [],
    (team) => team.subject?.reference,
  );
  const current = (team: CareTeam) =>
    team.status === undefined || team.status === 'active'
      ? (team.participant ?? []).filter((p) => covers(p.period, now))
      : [];
  const roleIds = [...teams.values()]
    .flat()
    .flatMap(current)
    .flatMap((p) => idOf(p.member?.reference, 'PractitionerRole') ?? []);
  const roles = await readManyOf<PractitionerRole>(resources, 'PractitionerRole', roleIds);
  const members = new Map<string, Involved>();
  for (const patientId of patientIds) {
    const candidates = new Map<string, Set<InvolvedRole>>();
    const notTold = new Map<string, NotTold>();
    for (const team of (teams.get(`Patient/${patientId}`) ?? []).slice(0, MAX_TEAMS)) {
      for (const participant of current(team)) {
        let member = participant.member?.reference;
        const roleId = idOf(member, 'PractitionerRole');
        if (roleId) {
          member = roles.get(roleId)?.practitioner?.reference;
        }
        if (idOf(member, 'Practitioner')) {
          const set = candidates.get(member!) ?? new Set<InvolvedRole>();
          set.add(hasRole(participant, 'care-coordinator') ? 'care-coordinator' : 'care-team');
          candidates.set(member!, set);
        } else if (idOf(member, 'Organization')) {
          notTold.set(member!, { reference: member!, reason: 'organisation-member' });
        } else if (member) {
          // A patient or a carer on the team is told only with the patient's permit (the circle of support).
          notTold.set(member, { reference: member, reason: 'needs-consent' });
        }
      }
    }
    members.set(patientId, {
      candidates: [...candidates].map(([reference, set]) => ({ reference, roles: [...set] })),
      notTold: [...notTold.values()],
    });
  }
  return members;
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

/** The RelatedPersons a patient's active privacy Consents permit to see `encounters` now. */
function permittedBy(consents: readonly Consent[], now: Date): Set<string> {
  const named = new Set<string>();
  for (const consent of consents) {
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
  return named;
}

/**
 * RelatedPersons of the patient that an active `patient-privacy` Consent of theirs permits to see
 * `encounters` now. The permit is the patient's choice: without it, a carer is not told, however
 * close. (Their own view is checked again before anything is sent.)
 */
export async function circleOfSupport(resources: ResourceService, patientId: string, now: Date): Promise<string[]> {
  return (await circleOfSupportMany(resources, [patientId], now)).get(patientId)!;
}

/** `circleOfSupport` for several patients: one Consent search and one RelatedPerson read for all. */
export async function circleOfSupportMany(
  resources: ResourceService,
  patientIds: readonly string[],
  now: Date,
): Promise<Map<string, string[]>> {
  const consents = await searchGrouped<Consent>(
    resources,
    'Consent',
    'patient',
    patientIds.map((id) => `Patient/${id}`),
    MAX_CONSENTS,
    [['status', 'active']],
    (consent) => consent.patient?.reference,
  );
  const named = new Map(
    patientIds.map((id) => [id, permittedBy((consents.get(`Patient/${id}`) ?? []).slice(0, MAX_CONSENTS), now)]),
  );
  const people = await readManyOf<RelatedPerson>(
    resources,
    'RelatedPerson',
    [...named.values()].flatMap((set) => [...set].map((reference) => idOf(reference, 'RelatedPerson')!)),
  );
  const circles = new Map<string, string[]>();
  for (const [patientId, references] of named) {
    const circle = [...references].filter((reference) => {
      const person = people.get(idOf(reference, 'RelatedPerson')!);
      return person && person.active !== false && idOf(person.patient?.reference, 'Patient') === patientId;
    });
    circles.set(patientId, circle.sort());
  }
  return circles;
}

/** Everyone involved, each once with every reason they are involved, in a stable order. */
export async function involvedIn(resources: ResourceService, patient: Patient, now: Date): Promise<Involved> {
  return (await involvedInMany(resources, [patient], now)).get(patient.id!)!;
}

/**
 * `involvedIn` for several patients at once (a batch of alerts): the same people, each judged the
 * same way, from one search per kind of resource instead of one per patient (H-150).
 */
export async function involvedInMany(
  resources: ResourceService,
  patients: readonly Patient[],
  now: Date,
): Promise<Map<string, Involved>> {
  const ids = [...new Set(patients.map((p) => p.id!))];
  const practices = await practiceGpsMany(resources, [...new Set(patients.flatMap(registeredPractices))]);
  const teams = await careTeamMembersMany(resources, ids, now);
  const circles = await circleOfSupportMany(resources, ids, now);
  const involved = new Map<string, Involved>();
  for (const patient of patients) {
    const roles = new Map<string, Set<InvolvedRole>>();
    const add = (reference: string, role: InvolvedRole) =>
      roles.set(reference, (roles.get(reference) ?? new Set<InvolvedRole>()).add(role));
    for (const gp of gpsOf(patient, practices)) {
      add(gp, 'gp');
    }
    const team = teams.get(patient.id!)!;
    for (const member of team.candidates) {
      member.roles.forEach((role) => add(member.reference, role));
    }
    for (const person of circles.get(patient.id!) ?? []) {
      add(person, 'circle-of-support');
    }
    involved.set(patient.id!, {
      candidates: [...roles]
        .map(([reference, set]) => ({ reference, roles: [...set].sort() }))
        .sort((a, b) => a.reference.localeCompare(b.reference)),
      notTold: team.notTold,
    });
  }
  return involved;
}
