/**
 * `Patient/$match` as a trace (docs/ACCESS.md, *Finding a person*): a member of staff may learn that
 * a person exists — identity only — by an exact NHS number or an exact surname and date of birth, as
 * the NHS's Personal Demographics Service lets them, so that they can ask for emergency access
 * (break-glass) to a record that is not shared with them. Nothing of the record comes back: no
 * address, practice, contacts or anything clinical; each answer is audited against every person it
 * names, so the trace shows in that person's access log.
 */
import type { Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { Actor } from './actor.ts';
import type { AuditLog } from './audit.ts';
import { forbidden } from './refusal.ts';
import { defineOperation } from '../fhir/operations/define.ts';
import { registerOperations } from '../fhir/operations/registry.ts';
import { badRequest, fail } from '../fhir/outcome.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { isValidNhsNumber, NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';

export interface PatientMatchOptions {
  /** The whole record: the trace reads identity only, whatever the caller's view. */
  system: ResourceService;
  audit: Pick<AuditLog, 'record'>;
  fhirBase: string;
}

/** More candidates than this for a surname and date of birth: ask for more detail instead. */
const MAX_MATCHES = 5;
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Criteria =
  | { kind: 'nhs-number'; nhsNumber: string }
  | { kind: 'demographics'; family: string; birthDate: string; given?: string };

/** What the trace needs from the Patient given: an NHS number, or a surname and a full date of birth. */
export function criteriaOf(patient: Patient | undefined): Criteria {
  if (patient?.resourceType !== 'Patient') {
    return badRequest("Give the person to find as a Patient in the parameter 'resource'", ['resource']);
  }
  const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value?.replace(/\s/g, '');
  if (nhsNumber !== undefined) {
    if (!isValidNhsNumber(nhsNumber)) {
      return badRequest(`'${nhsNumber}' is not a valid NHS number (10 digits, the last a check digit)`, ['resource']);
    }
    return { kind: 'nhs-number', nhsNumber };
  }
  const family = patient.name?.[0]?.family?.trim();
  const given = patient.name?.[0]?.given?.[0]?.trim();
  const birthDate = patient.birthDate;
  if (!family || !birthDate || !DATE.test(birthDate)) {
    return badRequest(
      'Give an NHS number, or a surname and a full date of birth (YYYY-MM-DD): a trace needs an exact match',
      ['resource'],
    );
  }
  return { kind: 'demographics', family, birthDate, ...(given ? { given } : {}) };
}

function queryOf(criteria: Criteria): [string, string][] {
  const base: [string, string][] = [['_count', String(MAX_MATCHES + 1)]];
  if (criteria.kind === 'nhs-number') {
    return [...base, ['identifier', `${NHS_NUMBER_SYSTEM}|${criteria.nhsNumber}`]];
  }
  return [
    ...base,
    ['family:exact', criteria.family],
    ['birthdate', criteria.birthDate],
    ...(criteria.given ? ([['given', criteria.given]] as [string, string][]) : []),
  ];
}

/** Identity only: who the person is, nothing of where they live, who cares for them, or their health. */
export function identityOf(patient: Patient): Patient {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  return {
    resourceType: 'Patient',
    id: patient.id,
    meta: { tag: [SUBSETTED] },
    identifier: (patient.identifier ?? []).filter((i) => i.system === NHS_NUMBER_SYSTEM),
    ...(name ? { name: [{ family: name.family, given: name.given, prefix: name.prefix }] } : {}),
    ...(patient.gender ? { gender: patient.gender } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    ...(patient.deceasedBoolean || patient.deceasedDateTime ? { deceasedBoolean: true } : {}),
  };
}

/** Staff, and system clients for direct care (an integration engine's master patient index). */
function requireTracer(actor: Actor | undefined): Actor {
  if (!actor) {
    return fail('login', 'Sign in first');
  }
  if (actor.kind !== 'staff' && actor.kind !== 'system') {
    throw forbidden('Only staff may trace a person by their details');
  }
  return actor;
}

/** The trace itself: matches by the criteria, identity only, audited against each person named. */
export async function tracePatients(
  options: PatientMatchOptions,
  actor: Actor,
  patient: Patient | undefined,
): Promise<Bundle> {
  const criteria = criteriaOf(patient);
  const query = queryOf(criteria);
  const found = await options.system.search('Patient', query);
  const matches = (found.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is Patient => r?.resourceType === 'Patient' && r.active !== false);
  const asked = `Patient/$match ${new URLSearchParams(query.filter(([k]) => k !== '_count')).toString()}`;
  await options.audit.record(actor, {
    interaction: 'search',
    resources: matches.map((m) => `Patient/${m.id}`),
    patients: matches.map((m) => m.id!),
    query: asked,
  });
  if (matches.length > MAX_MATCHES) {
    return fail('too-costly', 'More than 5 people match: add a first name, or search by NHS number');
  }
  const grade = criteria.kind === 'nhs-number' ? 'certain' : matches.length === 1 ? 'probable' : 'possible';
  const entry: BundleEntry[] = matches.map((m) => ({
    fullUrl: `${options.fhirBase}/Patient/${m.id}`,
    resource: identityOf(m),
    search: {
      mode: 'match',
      score: criteria.kind === 'nhs-number' ? 1 : 0.8,
      extension: [{ url: MATCH_GRADE, valueCode: grade }],
    },
  }));
  return { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
}

/** `POST Patient/$match`: the FHIR operation, for staff and direct-care systems (above). */
export const PATIENT_MATCH = defineOperation<PatientMatchOptions>({
  code: 'match',
  name: 'PatientMatch',
  title: 'Find a person by their details (identity only)',
  base: 'http://hl7.org/fhir/OperationDefinition/Patient-match',
  description:
    'A trace, as the Personal Demographics Service offers: staff (and direct-care system clients) give an NHS ' +
    'number, or a surname and a full date of birth (a first name narrows it), and learn who matches — id, NHS ' +
    'number, name, gender, date of birth, and nothing else — whether or not the record is shared with them, so ' +
    'that they can ask for emergency access. Exact matches only; more than five candidates is refused. Each ' +
    'answer is audited against every person it names. Patients and carers cannot trace.',
  levels: ['type'],
  resourceTypes: ['Patient'],
  affectsState: false,
  methods: ['POST'],
  parameters: [
    {
      name: 'resource',
      use: 'in',
      min: 1,
      max: 1,
      type: 'Patient',
      documentation: 'The person to find: an NHS number identifier, or name (family, given) and birthDate',
    },
    {
      name: 'onlyCertainMatches',
      use: 'in',
      min: 0,
      max: 1,
      type: 'boolean',
      documentation: 'Only matches graded certain (by NHS number)',
    },
    { name: 'count', use: 'in', min: 0, max: 1, type: 'integer', documentation: 'At most this many (1–5)' },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'Bundle', documentation: 'Identity-only Patients, scored' },
  ],
  scopes: [{ resourceType: 'Patient', interaction: 's' }],
  handler: async ({ request, deps, input }) => {
    const actor = requireTracer(request.actor);
    const patient = input.values('resource')[0]?.resource as Patient | undefined;
    const bundle = await tracePatients(deps, actor, patient);
    const count = input.integer('count');
    let entries = bundle.entry ?? [];
    if (input.boolean('onlyCertainMatches')) {
      entries = entries.filter((e) => e.search?.extension?.[0]?.valueCode === 'certain');
    }
    if (count !== undefined) {
      entries = entries.slice(0, Math.max(1, Math.min(MAX_MATCHES, count)));
    }
    return { ...bundle, total: entries.length, entry: entries };
  },
});

/** Serves `Patient/$match`. Register on the FHIR base. */
export function registerPatientMatch(app: FastifyInstance, options: PatientMatchOptions): void {
  registerOperations(app, options, [PATIENT_MATCH]);
}
