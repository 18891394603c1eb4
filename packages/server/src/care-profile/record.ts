/**
 * Reads what a profile is built from: the patient's current entries, through the record given
 * (the module's system view when the profile is written). The stored profile is the practice's
 * record and is shared under the agreements as such, so it takes in only what may be shared that
 * way (H-163): nothing with a sensitive label (mental health, sexual health, safeguarding), nothing
 * kept from the patient's online view (the patient reads their profile), and nothing recorded by a
 * mental-health, social-care or non-NHS organisation (whose records are sensitive or shared only
 * with the patient's named permission). Each reader then sees only the entries they may read
 * (profile.ts, `forReader`).
 */
import type {
  AllergyIntolerance,
  CarePlan,
  CareTeam,
  Coding,
  Condition,
  Flag,
  Goal,
  MedicationRequest,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import { ORGANISATION_TYPE_SYSTEM } from '../access/actor.ts';
import { securityCategory } from '../access/categories.ts';
import { withheldOnline } from '../access/online-view.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { INPUT_SYSTEM, type InputKind } from './codes.ts';
import type { ProfileInputs } from './profile.ts';

/** Organisation types whose records never go into the shared profile. */
const NOT_SHARED_SOURCES = ['mental-health', 'social-care', 'care-home', 'non-nhs-app', 'voluntary-sector'];
const CURRENT_CONDITION = ['active', 'recurrence', 'relapse'];
const NOT_TRUE = ['entered-in-error', 'refuted'];

const code = (concept: { coding?: Coding[] } | undefined): string | undefined => concept?.coding?.[0]?.code;

/** The registered practice as `Organization/{id}`, if the patient has one. */
export function practiceOf(patient: Patient): string | undefined {
  const references = [...(patient.generalPractitioner ?? []), patient.managingOrganization];
  const org = references.find((r) => r?.reference?.includes('Organization/'))?.reference;
  return org ? `Organization/${org.split('Organization/')[1]}` : undefined;
}

/** The input kind of a Goal or Flag recorded for the profile (its category). */
export function inputKindOf(resource: Goal | Flag): InputKind | undefined {
  const coding = (resource.category ?? []).flatMap((c) => c.coding ?? []).find((c) => c.system === INPUT_SYSTEM);
  return coding?.code as InputKind | undefined;
}

async function search<T extends Resource>(record: ResourceService, type: string, query: [string, string][]) {
  const bundle = await record.search(type, [...query, ['_count', '500']]);
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource as T] : []));
}

/** Decides per resource whether it may go into the shared profile (organisation types cached). */
function shareable(record: ResourceService): (resource: Resource) => Promise<boolean> {
  const types = new Map<string, Promise<string | undefined>>();
  const typeOf = (orgId: string) => {
    if (!types.has(orgId)) {
      types.set(
        orgId,
        record.read('Organization', orgId).then(
          (stored) =>
            ((JSON.parse(stored.json ?? '{}') as Organization).type ?? [])
              .flatMap((t) => t.coding ?? [])
              .find((c) => c.system === ORGANISATION_TYPE_SYSTEM)?.code,
          () => undefined,
        ),
      );
    }
    return types.get(orgId)!;
  };
  return async (resource) => {
    if (securityCategory(resource.meta?.security) || withheldOnline(resource)) {
      return false;
    }
    const source = resource.meta?.source?.split('Organization/')[1];
    return !source || !NOT_SHARED_SOURCES.includes((await typeOf(source)) ?? '');
  };
}

async function keep<T extends Resource>(list: T[], ok: (r: Resource) => Promise<boolean>): Promise<T[]> {
  const flags = await Promise.all(list.map(ok));
  return list.filter((_, i) => flags[i]);
}

/** Care-team members named by reference only get their names from the directory (a line says who, not an id). */
async function withMemberNames(record: ResourceService, teams: CareTeam[]): Promise<CareTeam[]> {
  const names = new Map<string, Promise<string | undefined>>();
  const nameOf = (reference: string) => {
    if (!names.has(reference)) {
      const [type, id] = reference.split('/');
      names.set(
        reference,
        record.read(type!, id!).then(
          (stored) => {
            const name = (JSON.parse(stored.json ?? '{}') as Practitioner).name?.[0];
            return name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || undefined);
          },
          () => undefined,
        ),
      );
    }
    return names.get(reference)!;
  };
  return Promise.all(
    teams.map(async (team) => ({
      ...team,
      participant: await Promise.all(
        (team.participant ?? []).map(async (p) => {
          const reference = p.member?.reference;
          if (!reference?.startsWith('Practitioner/') || p.member?.display) {
            return p;
          }
          const display = await nameOf(reference);
          return display ? { ...p, member: { ...p.member, display } } : p;
        }),
      ),
    })),
  );
}

const newest = (a: Flag, b: Flag): number =>
  (b.period?.start ?? b.meta?.lastUpdated ?? '').localeCompare(a.period?.start ?? a.meta?.lastUpdated ?? '');

/** The current record entries of `patientId` that go into their profile. */
export async function readInputs(record: ResourceService, patientId: string): Promise<ProfileInputs> {
  const patient = JSON.parse((await record.read('Patient', patientId)).json ?? '{}') as Patient;
  const subject: [string, string] = ['subject', `Patient/${patientId}`];
  const ok = shareable(record);
  const [relatedPersons, careTeams, conditions, medicines, allergies, carePlans, goals, flags] = await Promise.all([
    search<RelatedPerson>(record, 'RelatedPerson', [['patient', `Patient/${patientId}`]]),
    search<CareTeam>(record, 'CareTeam', [subject]),
    search<Condition>(record, 'Condition', [subject]),
    search<MedicationRequest>(record, 'MedicationRequest', [subject, ['status', 'active']]),
    search<AllergyIntolerance>(record, 'AllergyIntolerance', [['patient', `Patient/${patientId}`]]),
    search<CarePlan>(record, 'CarePlan', [subject, ['status', 'active']]),
    search<Goal>(record, 'Goal', [subject]),
    search<Flag>(record, 'Flag', [subject, ['status', 'active']]),
  ]);
  const activeGoals = goals.filter((g) => ['proposed', 'planned', 'accepted', 'active'].includes(g.lifecycleStatus));
  const goalsOf = (kind: InputKind) => activeGoals.filter((g) => inputKindOf(g) === kind);
  const flagsOf = (kind: InputKind) => flags.filter((f) => inputKindOf(f) === kind);
  return {
    patient,
    ...(practiceOf(patient) ? { practice: practiceOf(patient)! } : {}),
    relatedPersons: await keep(
      relatedPersons.filter((p) => p.active !== false),
      ok,
    ),
    careTeams: await withMemberNames(
      record,
      await keep(
        careTeams.filter((t) => !t.status || t.status === 'active'),
        ok,
      ),
    ),
    conditions: await keep(
      conditions.filter(
        (c) =>
          (!c.clinicalStatus || CURRENT_CONDITION.includes(code(c.clinicalStatus) ?? '')) &&
          !NOT_TRUE.includes(code(c.verificationStatus) ?? ''),
      ),
      ok,
    ),
    medicines: await keep(medicines, ok),
    allergies: await keep(
      allergies.filter(
        (a) =>
          (!a.clinicalStatus || code(a.clinicalStatus) === 'active') &&
          !NOT_TRUE.includes(code(a.verificationStatus) ?? ''),
      ),
      ok,
    ),
    carePlans: await keep(carePlans, ok),
    whatMatters: await keep(goalsOf('what-matters'), ok),
    endOfLife: await keep(goalsOf('end-of-life'), ok),
    communication: await keep(flagsOf('communication'), ok),
    respect: (await keep(flagsOf('respect'), ok)).sort(newest),
  };
}
