/**
 * The coordination hub's FHIR vocabulary (docs/COORDINATION.md): the code systems and codes shared
 * with the rest of issue 12 (care-team category and roles, risk bands), the hub's own codes (referral
 * and care-plan Tasks, MDT meetings and outcomes), and small readers over stored resources.
 */
import type { Bundle, CodeableConcept, Resource, Task } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';

const BASE = 'https://careweave.example/fhir';
export const CARE_TEAM_CATEGORY_SYSTEM = `${BASE}/CodeSystem/care-team-category`;
export const CARE_TEAM_ROLE_SYSTEM = `${BASE}/CodeSystem/care-team-role`;
export const RISK_BAND_SYSTEM = `${BASE}/CodeSystem/risk-band`;
/** The hub's own codes: ServiceRequest/CarePlan category, Task codes, List and Communication codes. */
export const COORDINATION_SYSTEM = `${BASE}/CodeSystem/care-coordination`;
export const NEXT_REVIEW_EXTENSION = `${BASE}/StructureDefinition/next-review-date`;
export const MEETING_START_EXTENSION = `${BASE}/StructureDefinition/mdt-meeting-start`;
export const SHARED_WITH_EXTENSION = `${BASE}/StructureDefinition/shared-with`;
/** Identifies an MDT meeting's Appointment by its agenda: `List/<id>` (one Appointment per meeting). */
export const MDT_APPOINTMENT_IDENTIFIER_SYSTEM = `${BASE}/Id/mdt-meeting`;

export const CARE_COORDINATION = 'care-coordination';
export const REFERRAL_TASK = 'spa-referral';
export const PLAN_TASK = 'care-plan-task';
export const MDT_MEETING = 'mdt-meeting';
export const MDT_OUTCOME = 'mdt-outcome';

export const ROLES = {
  'care-coordinator': 'Care coordinator',
  gp: 'GP',
  'district-nurse': 'District nurse',
  'community-matron': 'Community matron',
  'social-worker': 'Social worker',
  'voluntary-sector': 'Voluntary sector',
  paramedic: 'Paramedic',
} as const;
export type CareTeamRole = keyof typeof ROLES;
export const isRole = (value: unknown): value is CareTeamRole =>
  typeof value === 'string' && Object.hasOwn(ROLES, value);

export const OPEN_TASK: readonly Task['status'][] = [
  'requested',
  'received',
  'accepted',
  'ready',
  'in-progress',
  'on-hold',
];

export const concept = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
});
export const roleConcept = (role: CareTeamRole): CodeableConcept => concept(CARE_TEAM_ROLE_SYSTEM, role, ROLES[role]);
export const CATEGORY = concept(COORDINATION_SYSTEM, CARE_COORDINATION, 'Care coordination');
export const TEAM_CATEGORY = concept(CARE_TEAM_CATEGORY_SYSTEM, CARE_COORDINATION, 'Care coordination');

export const hasCode = (concepts: CodeableConcept | CodeableConcept[] | undefined, system: string, code: string) =>
  [concepts ?? []].flat().some((c) => c.coding?.some((coding) => coding.system === system && coding.code === code));
export const codeOf = (concepts: CodeableConcept | CodeableConcept[] | undefined, system: string) =>
  [concepts ?? []]
    .flat()
    .flatMap((c) => c.coding ?? [])
    .find((coding) => coding.system === system)?.code;

/** The resources of a search bundle (matches only). */
export const entries = <T extends Resource>(bundle: Bundle): T[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource as T);

/** Reads a resource through `record` (404 when hidden or absent, as the store answers). */
export async function readAs<T extends Resource>(record: ResourceService, type: string, id: string) {
  const stored = await record.read(type, id);
  return { resource: JSON.parse(stored.json ?? '{}') as T, versionId: stored.versionId };
}

/** Searches through `record`, returning the matches. */
export const searchAs = async <T extends Resource>(
  record: ResourceService,
  type: string,
  query: [string, string][],
): Promise<T[]> => entries<T>(await record.search(type, query));

/** "Patient/123" → "123" (undefined when not of that type). */
export const idIn = (reference: string | undefined, type: string): string | undefined =>
  reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined;

/** Today's date in Europe/London (the date a due date is compared with). */
export const londonToday = (now = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);

/** A Task is overdue when open and its due date (restriction.period.end) is before today in London. */
export const isOverdue = (task: Task, today: string): boolean =>
  OPEN_TASK.includes(task.status) &&
  !!task.restriction?.period?.end &&
  task.restriction.period.end.slice(0, 10) < today;
