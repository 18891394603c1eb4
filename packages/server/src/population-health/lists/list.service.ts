/**
 * The risk lists (docs/RISK-MODEL.md, "Lists"): a member of staff sees the patients they have a
 * legitimate relationship with (those whose RiskAssessment the access policy lets them read), ranked,
 * with names and NHS numbers; a commissioner sees pseudonymised rows of the practices that share with
 * them for commissioning, with no NHS numbers, exact ages or names, and small counts suppressed.
 */
import type { Condition, Organization, Patient, Resource, RiskAssessment } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { requireScopes } from '../../auth/scopes.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { forbidden, invalidInput } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { LONG_TERM_CONDITIONS } from '../vocabulary.ts';
import { RISING_BY, type ListFilters } from './filters.ts';
import { ListRepository, type ListPage, type ListRow } from './list.repository.ts';
import { ageBand, pseudonym, SMALL_NUMBER, suppressed } from './pseudonym.ts';

const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
const CONDITION_WORDS = new Map<string, string>(LONG_TERM_CONDITIONS.map((c) => [c.key, c.words]));
export const COMMISSIONING_PURPOSE = 'commissioning';
/** What a token must allow to read a list: searching Patients and RiskAssessments. */
const LIST_SCOPES = [
  { resourceType: 'Patient', interaction: 's' },
  { resourceType: 'RiskAssessment', interaction: 's' },
] as const;

export interface RiskListRow {
  patient?: { reference: string; name: string; nhsNumber?: string; birthDate?: string };
  pseudonym?: string;
  practice?: { id: string; name: string };
  age?: number;
  /** Pseudonymised rows: a five-year band, or null when fewer than five people share it (suppressed). */
  ageBand?: string | null;
  sex: string;
  band: string;
  probability: number;
  previousProbability?: number;
  rising: boolean;
  emergencyAdmissions12m: number;
  aeAttendances12m: number;
  outpatientAttendances12m: number;
  repeatMedicines: number;
  cost12m: number;
  conditions: string[];
  frailty: string;
  efi: number;
  factors: string[];
  riskAssessment?: string;
  scoredAt: string;
}

export interface RiskList {
  mode: 'identifiable' | 'pseudonymised';
  modelVersion: string;
  page: number;
  pageSize: number;
  total: number | '<5';
  bands: Record<string, number | '<5'>;
  rows: RiskListRow[];
  /** Why a commissioner's list is empty, when it is. */
  notice?: string;
}

function nameOf(patient: Patient): string {
  const n = patient.name?.find((x) => x.use === 'official') ?? patient.name?.[0];
  return n?.text ?? ([...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || 'Unknown');
}

function factorsOf(row: ListRow, hidden: ReadonlySet<string> = new Set()): string[] {
  const factors = (typeof row.factors === 'string' ? JSON.parse(row.factors) : row.factors) as {
    feature: string;
    words: string;
  }[];
  return factors.filter((f) => !hidden.has(f.feature)).map((f) => f.words);
}

const CONDITION_BY_CODE = new Map<string, string>(LONG_TERM_CONDITIONS.map((c) => [c.snomed, c.key]));

/**
 * Which of the model's conditions the caller may read for each of these patients, through their own
 * view: a row shows (and explains by) only those, so a patient's objection or a category the caller
 * may not see is not told by the list (H-148).
 */
async function visibleConditions(
  record: ResourceService,
  patientIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const visible = new Map<string, Set<string>>();
  const codes = LONG_TERM_CONDITIONS.map((c) => `http://snomed.info/sct|${c.snomed}`).join(',');
  for (let i = 0; i < patientIds.length; i += 50) {
    const part = patientIds.slice(i, i + 50);
    const bundle = await record.search('Condition', [
      ['patient', part.map((id) => `Patient/${id}`).join(',')],
      ['code', codes],
      ['_count', '1000'],
    ]);
    for (const entry of bundle.entry ?? []) {
      const condition = entry.resource as Condition | undefined;
      const patient = condition?.subject?.reference?.replace('Patient/', '');
      if (!patient || entry.search?.mode === 'outcome') {
        continue;
      }
      for (const coding of condition?.code?.coding ?? []) {
        const key = coding.system === 'http://snomed.info/sct' ? CONDITION_BY_CODE.get(coding.code ?? '') : undefined;
        if (key) {
          visible.set(patient, (visible.get(patient) ?? new Set()).add(key));
        }
      }
    }
  }
  return visible;
}

function commonFields(
  row: ListRow,
  visible?: ReadonlySet<string>,
): Omit<RiskListRow, 'patient' | 'pseudonym' | 'age' | 'ageBand' | 'practice'> {
  const previous = row.previous_probability ?? undefined;
  const conditions = visible ? row.conditions.filter((c) => visible.has(c)) : row.conditions;
  const hidden = new Set(row.conditions.filter((c) => !conditions.includes(c)).map((c) => `condition:${c}`));
  return {
    sex: row.sex,
    band: row.band,
    probability: row.probability,
    ...(previous !== undefined ? { previousProbability: previous } : {}),
    rising: previous !== undefined && row.probability - previous >= RISING_BY,
    emergencyAdmissions12m: row.emergency_admissions_12m,
    aeAttendances12m: row.ae_attendances_12m,
    outpatientAttendances12m: row.outpatient_attendances_12m,
    repeatMedicines: row.repeat_medicines,
    cost12m: row.cost_12m,
    conditions: conditions.map((c) => CONDITION_WORDS.get(c) ?? c),
    frailty: row.frailty,
    efi: Math.round(row.efi * 100) / 100,
    factors: factorsOf(row, hidden),
    scoredAt: new Date(row.scored_at).toISOString(),
  };
}

async function visibleByIds<T extends Resource>(
  record: ResourceService,
  type: string,
  ids: readonly string[],
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const part = unique.slice(i, i + 100);
    const bundle = await record.search(type, [
      ['_id', part.join(',')],
      ['_count', String(part.length)],
    ]);
    for (const entry of bundle.entry ?? []) {
      if (entry.resource?.id && entry.search?.mode !== 'outcome') {
        found.set(entry.resource.id, entry.resource as T);
      }
    }
  }
  return found;
}

/**
 * A commissioner filters by age only on five-year band boundaries (minAge 65, maxAge 74): exact-age
 * filters, differenced, would give each pseudonym its exact age (H-147).
 */
function requireBandedAges(filters: ListFilters): void {
  const issues = [
    ...(filters.minAge !== undefined && filters.minAge % 5 !== 0
      ? [{ path: ['minAge'], message: 'must start a five-year age band (0, 5, 10, …) on a pseudonymised list' }]
      : []),
    ...(filters.maxAge !== undefined && (filters.maxAge + 1) % 5 !== 0
      ? [{ path: ['maxAge'], message: 'must end a five-year age band (4, 9, 14, …) on a pseudonymised list' }]
      : []),
  ];
  if (issues.length) {
    throw invalidInput({ issues });
  }
}

export class RiskListService {
  private readonly context: ModuleContext;
  private readonly pseudonymKey: string;
  private readonly names = new Map<string, string>();

  constructor(context: ModuleContext, pseudonymKey: string) {
    this.context = context;
    this.pseudonymKey = pseudonymKey;
  }

  private async practiceNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
    const missing = [...new Set(ids.filter((id): id is string => !!id && !this.names.has(id)))];
    if (missing.length) {
      const orgs = await visibleByIds<Organization>(this.context.system, 'Organization', missing);
      for (const id of missing) {
        this.names.set(id, orgs.get(id)?.name ?? id);
      }
    }
    return this.names;
  }

  /** The identifiable list of the patients the caller may see. */
  async identifiable(actor: Actor | undefined, version: string, filters: ListFilters): Promise<RiskList> {
    const staff = requireStaff(actor, { doing: 'see a risk list' });
    // The token's SMART scopes bound the module's API as they bound /fhir (H-147).
    requireScopes(staff, LIST_SCOPES);
    const restrict = this.context.accessFor(staff).restrict;
    const page = await new ListRepository(this.context.db).identifiable(version, restrict, filters);
    const record = this.context.recordAs(staff);
    // Read through the caller's view: audited against each patient, and a row whose patient or
    // assessment the record does not return is not shown.
    const patients = await visibleByIds<Patient>(
      record,
      'Patient',
      page.rows.map((r) => r.patient_id),
    );
    const assessments = await visibleByIds<RiskAssessment>(
      record,
      'RiskAssessment',
      page.rows.map((r) => r.risk_assessment_id),
    );
    const names = await this.practiceNames(page.rows.map((r) => r.practice_id));
    const conditions = await visibleConditions(
      record,
      page.rows.map((r) => r.patient_id),
    );
    const rows: RiskListRow[] = [];
    for (const row of page.rows) {
      const patient = patients.get(row.patient_id);
      if (!patient || !assessments.has(row.risk_assessment_id)) {
        continue;
      }
      const visible = conditions.get(row.patient_id) ?? new Set<string>();
      if (filters.condition && !visible.has(filters.condition)) {
        continue;
      }
      const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER)?.value;
      rows.push({
        patient: {
          reference: `Patient/${row.patient_id}`,
          name: nameOf(patient),
          ...(nhsNumber ? { nhsNumber } : {}),
          ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
        },
        ...(row.practice_id
          ? { practice: { id: row.practice_id, name: names.get(row.practice_id) ?? row.practice_id } }
          : {}),
        age: row.age,
        ...commonFields(row, visible),
        riskAssessment: `RiskAssessment/${row.risk_assessment_id}`,
      });
    }
    return {
      mode: 'identifiable',
      modelVersion: version,
      page: filters.page,
      pageSize: filters.pageSize,
      total: page.total,
      bands: page.bands,
      rows,
    };
  }

  /** The pseudonymised list for a commissioner (organisation type `commissioner`). */
  async pseudonymised(actor: Actor | undefined, version: string, filters: ListFilters): Promise<RiskList> {
    const staff = requireStaff(actor, { doing: 'see a pseudonymised risk list' });
    requireScopes(staff, LIST_SCOPES);
    if (staff.organizationType !== 'commissioner') {
      throw forbidden(
        'Pseudonymised lists are for commissioners; your organisation sees its own patients on the risk list',
      );
    }
    requireBandedAges(filters);
    const repository = new ListRepository(this.context.db);
    const practices = await repository.practicesSharingForCommissioning(staff.organizationId, staff.roleCode);
    const empty = {
      mode: 'pseudonymised' as const,
      modelVersion: version,
      page: filters.page,
      pageSize: filters.pageSize,
    };
    await this.audit(staff, filters, practices);
    if (practices.length === 0) {
      return {
        ...empty,
        total: 0,
        bands: {},
        rows: [],
        notice: 'No practice shares risk scores with your organisation for commissioning yet.',
      };
    }
    const page: ListPage = await repository.pseudonymised(version, practices, filters);
    if (page.total < SMALL_NUMBER) {
      // Fewer than five people: even their pseudonymised rows would say too much (small numbers).
      return {
        ...empty,
        total: suppressed(page.total),
        bands: {},
        rows: [],
        notice: 'Fewer than 5 people match; widen the filters.',
      };
    }
    const names = await this.practiceNames(page.rows.map((r) => r.practice_id));
    const rows = page.rows.map((row): RiskListRow => ({
      pseudonym: pseudonym(this.pseudonymKey, `${COMMISSIONING_PURPOSE}:${staff.organizationId}`, row.patient_id),
      ...(row.practice_id
        ? { practice: { id: row.practice_id, name: names.get(row.practice_id) ?? row.practice_id } }
        : {}),
      ageBand: Number(row.group_size ?? 0) >= SMALL_NUMBER ? ageBand(row.age) : null,
      ...commonFields(row),
      // Money to the nearest £10 and probability to 0.1%: enough for planning, less to match on.
      cost12m: Math.round(row.cost_12m / 10) * 10,
      probability: Math.round(row.probability * 1000) / 1000,
    }));
    const bands = Object.fromEntries(Object.entries(page.bands).map(([band, n]) => [band, suppressed(n)]));
    return { ...empty, total: suppressed(page.total), bands, rows };
  }

  private async audit(staff: StaffActor, filters: ListFilters, practices: readonly string[]): Promise<void> {
    await this.context.audit.record(staff, {
      interaction: 'search',
      resources: [],
      patients: [],
      query: `population-health pseudonymised risk list ${JSON.stringify({ ...filters, practices })}`,
    });
  }
}
