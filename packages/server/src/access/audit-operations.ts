import { Readable } from 'node:stream';
import type { Bundle } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defineOperation, type ParameterDeclaration } from '../fhir/operations/define.ts';
import { invalidParameter, type OperationInput } from '../fhir/operations/parameters.ts';
import { registerOperations } from '../fhir/operations/registry.ts';
import { issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import { queryPairs, rawQuery, sendResource } from '../fhir/rest/http.ts';
import type { Actor } from './actor.ts';
import type { AuditEntry, AuditLog } from './audit.ts';
import { toAuditEvent } from './audit-event.ts';
import { redactForPatient } from './audit-redact.ts';
import { dateBounds, type AuditFilter } from './audit-query.ts';
import { forbidden } from './authorize.ts';
import { isSecondaryUse } from './secondary-use.ts';

export const FHIR_NDJSON = 'application/fhir+ndjson';
const DEFAULT_COUNT = 50;
const MAX_COUNT = 1000;

export interface AuditOperationOptions {
  audit: AuditLog;
  fhirBase: string;
}

/**
 * Privacy officers (R0001, any organisation) and back-end integrations may read every access log;
 * not a secondary-use (planning, research) client: the trail is no secondary use, and it would name
 * patients who have a National Data Opt-out.
 */
export function auditAdmin(actor: Actor): boolean {
  return (actor.kind === 'system' && !isSecondaryUse(actor)) || (actor.kind === 'staff' && actor.roleCode === 'R0001');
}

function signedIn(request: FastifyRequest): Actor {
  if (!request.actor) {
    throw new OperationOutcomeError(outcome(issue('error', 'login', 'Sign in first')));
  }
  return request.actor;
}

/** `_count`, `_cursor` and `_format`: paging and the NDJSON export, for both operations. */
const PAGING: ParameterDeclaration[] = [
  {
    name: '_count',
    use: 'in',
    min: 0,
    max: 1,
    type: 'unsignedInt',
    documentation: `Page size (default ${DEFAULT_COUNT}, at most ${MAX_COUNT})`,
  },
  {
    name: '_cursor',
    use: 'in',
    min: 0,
    max: 1,
    type: 'string',
    documentation: 'Where the next page starts: from the `next` link',
  },
  {
    name: '_format',
    use: 'in',
    min: 0,
    max: 1,
    type: 'string',
    documentation: '`ndjson` (or Accept: application/fhir+ndjson): every matching event, oldest first, as NDJSON',
  },
  { name: 'return', use: 'out', min: 1, max: 1, type: 'Bundle', documentation: 'A searchset Bundle of AuditEvents' },
];

/**
 * `GET Patient/{id}/$access-log`: who accessed this patient's record, newest first, as AuditEvents.
 * The patient, a carer their consent permits, privacy officers and system clients.
 */
export const ACCESS_LOG = defineOperation<AuditOperationOptions>({
  code: 'access-log',
  name: 'PatientAccessLog',
  title: 'Who accessed this patient’s record',
  description:
    'The accesses to one patient’s record as AuditEvents, newest first, paged with `_count` and a `next` link; ' +
    '`_format=ndjson` streams them all. For the patient, a carer their consent permits to see it, privacy ' +
    'officers (R0001) and system clients; the patient and carer see each event only as it concerns this patient.',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: false,
  methods: ['GET'],
  parameters: PAGING,
  // What the token must allow (beyond the checks of the handler): searching AuditEvents.
  scopes: [{ resourceType: 'AuditEvent', interaction: 's' }],
  handler: async ({ request, reply, deps, id, input }) => {
    const actor = signedIn(request);
    const patient = id!;
    await requireLogReader(deps.audit, actor, patient);
    const self = actor.kind === 'patient';
    // The patient and their carer see each event only as it concerns this patient.
    const ownView = actor.kind === 'patient' || actor.kind === 'related-person' ? patient : undefined;
    return answer(request, reply, deps, { patient }, paramsOf(input), self ? undefined : [patient], ownView);
  },
});

/** `GET $audit-log?patient=&agent=&date=`: the whole trail, for privacy officers and system clients. */
export const AUDIT_LOG = defineOperation<AuditOperationOptions>({
  code: 'audit-log',
  name: 'AuditLog',
  title: 'The audit trail',
  description:
    'The audit trail as AuditEvents, newest first, paged with `_count` and a `next` link; `_format=ndjson` ' +
    'streams every matching event for export. For privacy officers (R0001) and system clients (not secondary-use ' +
    'ones). Unknown parameters are refused: an ignored filter would widen what is exported.',
  levels: ['system'],
  affectsState: false,
  methods: ['GET'],
  parameters: [
    {
      name: 'patient',
      use: 'in',
      min: 0,
      max: 1,
      type: 'string',
      searchType: 'reference',
      documentation: 'Patient/{id}',
    },
    { name: 'agent', use: 'in', min: 0, max: 1, type: 'string', searchType: 'token', documentation: 'A user id' },
    {
      name: 'date',
      use: 'in',
      min: 0,
      max: '*',
      type: 'string',
      searchType: 'date',
      documentation: 'When, with the prefixes eq, ge, gt, le, lt (repeat for a range)',
    },
    ...PAGING,
  ],
  scopes: [{ resourceType: 'AuditEvent', interaction: 's' }],
  handler: async ({ request, reply, deps, input }) => {
    const actor = signedIn(request);
    if (!auditAdmin(actor)) {
      throw forbidden('Only privacy officers (R0001) and system clients may read the audit log');
    }
    const params = paramsOf(input);
    const patient = params.get('patient')?.[0]?.replace(/^Patient\//, '');
    const agent = params.get('agent')?.[0];
    const filter: AuditFilter = {
      ...(patient ? { patient } : {}),
      ...(agent ? { agent } : {}),
      ...dateBounds(params.get('date') ?? []),
    };
    return answer(request, reply, deps, filter, params, patient ? [patient] : []);
  },
});

/**
 * The audit trail as FHIR AuditEvents, read-only, as operations (the AuditEvent resource type
 * cannot be written through the API): `$access-log` and `$audit-log` above. Both page with `_count`
 * and a `next` link; `_format=ndjson` (or Accept: application/fhir+ndjson) streams every matching
 * event, oldest first, for export. Register on the FHIR base.
 */
export function registerAuditOperations(app: FastifyInstance, options: AuditOperationOptions): void {
  registerOperations(app, options, [ACCESS_LOG, AUDIT_LOG]);
}

/** The patient themselves, a carer their consent permits to see `other` data, privacy officers, systems. */
async function requireLogReader(audit: AuditLog, actor: Actor, patient: string): Promise<void> {
  if (auditAdmin(actor) || (actor.kind === 'patient' && actor.patientId === patient)) {
    return;
  }
  if (actor.kind === 'related-person' && actor.patientId === patient) {
    if (await audit.carerMayReadLog(actor.relatedPersonId, patient)) {
      return;
    }
    throw forbidden("The patient's consent does not let this carer see their access log");
  }
  throw forbidden('Only the patient, a carer they permit, or a privacy officer (R0001) may read this access log');
}

type Params = Map<string, string[]>;

function paramsOf(input: OperationInput): Params {
  return new Map(input.names().map((name) => [name, input.strings(name)]));
}

function wholeNumber(params: Params, name: string): number | undefined {
  const value = params.get(name)?.[0];
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    return invalidParameter(name, `${name} must be a whole number`);
  }
  return Number(value);
}

function wantsNdjson(request: FastifyRequest, params: Params): boolean {
  const format = params.get('_format')?.[0];
  if (format !== undefined) {
    return /ndjson/.test(format);
  }
  return /ndjson/.test(String(request.headers.accept ?? ''));
}

/**
 * Records the read of the log (unless a patient reads their own: that would only fill it), then
 * answers with a page as a Bundle or with everything as NDJSON.
 */
async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  options: AuditOperationOptions,
  filter: AuditFilter,
  params: Params,
  recordFor: string[] | undefined,
  ownView?: string,
): Promise<FastifyReply> {
  const ndjson = wantsNdjson(request, params);
  const actor = signedIn(request);
  if (recordFor) {
    await options.audit.recordEvent(actor, {
      interaction: ndjson ? 'audit-log-export' : 'audit-log-read',
      patients: recordFor,
      decision: 'permit',
      query: `${request.url.split('?')[0]}${rawQuery(request) ? `?${rawQuery(request)}` : ''}`,
    });
  }
  if (ndjson) {
    return reply.header('content-type', FHIR_NDJSON).send(Readable.from(ndjsonLines(options, filter, ownView)));
  }
  const count = Math.min(wholeNumber(params, '_count') ?? DEFAULT_COUNT, MAX_COUNT);
  const before = wholeNumber(params, '_cursor');
  const listed = count ? await options.audit.list({ ...filter, before, count, canonical: true }) : [];
  const entries = ownView ? await redactForPatient(options.audit, ownView, listed) : listed;
  return sendResource(reply, await bundle(request, options, entries, count));
}

async function* ndjsonLines(
  options: AuditOperationOptions,
  filter: AuditFilter,
  ownView: string | undefined,
): AsyncGenerator<string> {
  let page: AuditEntry[] = [];
  const flush = async function* (): AsyncGenerator<string> {
    if (ownView) {
      page = await redactForPatient(options.audit, ownView, page);
    }
    const names = await options.audit.displayNames(page.flatMap(namedRefs));
    yield page
      .map((entry) => `${JSON.stringify(toAuditEvent(entry, { fhirBase: options.fhirBase, names }))}\n`)
      .join('');
    page = [];
  };
  for await (const entry of options.audit.stream(filter)) {
    page.push(entry);
    if (page.length >= 500) {
      yield* flush();
    }
  }
  if (page.length) {
    yield* flush();
  }
}

/** The references whose names an AuditEvent shows: the agents and the patients. */
export function namedRefs(entry: AuditEntry): string[] {
  const actor = entry.actor;
  const refs = ['practitioner', 'organization', 'patient', 'relatedPerson']
    .map((key) => actor[key])
    .filter((value): value is string => typeof value === 'string');
  return [...refs, ...entry.patientIds.map((id) => `Patient/${id}`)];
}

async function bundle(
  request: FastifyRequest,
  options: AuditOperationOptions,
  entries: AuditEntry[],
  count: number,
): Promise<Bundle> {
  const names = await options.audit.displayNames(entries.flatMap(namedRefs));
  const path = request.url.split('?')[0]!.replace(/^.*?\/fhir\/R4/, '');
  const link = (cursor?: number): string => {
    const query = new URLSearchParams(queryPairs(request).filter(([key]) => key !== '_cursor'));
    query.set('_count', String(count));
    if (cursor !== undefined) {
      query.set('_cursor', String(cursor));
    }
    return `${options.fhirBase}${path}?${query.toString()}`;
  };
  const last = entries[entries.length - 1];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [
      { relation: 'self', url: link(wholeNumberOrUndefined(queryPairs(request))) },
      ...(last && entries.length === count ? [{ relation: 'next', url: link(last.seq) }] : []),
    ],
    entry: entries.map((entry) => ({
      resource: toAuditEvent(entry, { fhirBase: options.fhirBase, names }),
      search: { mode: 'match' as const },
    })),
  };
}

function wholeNumberOrUndefined(pairs: [string, string][]): number | undefined {
  const cursor = pairs.find(([key]) => key === '_cursor')?.[1];
  return cursor === undefined ? undefined : Number(cursor);
}
