/**
 * Puts a generated world into a database through the access module's public API and asks the
 * server what each actor may see, for comparison with the reference model. Used by
 * policy.property.int.test.ts; knows nothing of how the policy is implemented.
 */
import type { Bundle, Reference, Resource } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.ts';
import { patientEverything } from '../../fhir/operations/everything.ts';
import { isOperationOutcomeError } from '../../fhir/outcome.ts';
import { ResourceService } from '../../fhir/store/resource.service.ts';
import type { Actor, StaffActor } from '../actor.ts';
import { createAccessModule, type AccessModule } from '../index.ts';
import type { GeneratedWorld } from './generate.ts';
import {
  allResources,
  decideRead,
  decideWrite,
  localRef,
  patientOf,
  labelsOf,
  organisationType,
  sourceOrganisationOf,
  type Decision,
  type World,
  type WriteRequest,
} from './model.ts';

export interface Harness {
  db: Database;
  fhirBase: string;
  /** Unrestricted, with the access hooks: how the world is written. */
  resources: ResourceService;
  access: AccessModule;
  /** The same module with break-glass sessions that last 5 ms, for expired sessions. */
  expiring: AccessModule;
}

export function createHarness(db: Database, fhirBase: string): Harness {
  const { hooks } = createAccessModule({ db, fhirBase });
  const resources = new ResourceService(db, { fhirBase, defaultPageSize: 100, maxPageSize: 1000, hooks });
  return {
    db,
    fhirBase,
    resources,
    access: createAccessModule({ db, fhirBase, resources }),
    expiring: createAccessModule({
      db,
      fhirBase,
      resources,
      breakGlassHours: 5 / 3_600_000,
      declaredHours: 5 / 3_600_000,
    }), // 5 ms
  };
}

/**
 * Empties every table but the migration record and the audit log, so one database serves many
 * worlds. The audit log is append-only (the database refuses TRUNCATE) and takes no part in
 * decisions, so it is left to grow.
 */
export async function clearDatabase(db: Database): Promise<void> {
  const tables = await db.query<{ tablename: string }>(
    `select tablename from pg_tables
      where schemaname = current_schema() and tablename not in ('schema_migration', 'audit_log')`,
  );
  if (tables.length) {
    await db.exec(`truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} restart identity cascade`);
  }
}

const key = (resource: Resource): string => `${resource.resourceType}/${resource.id}`;

/** A staff actor of organisation `organizationId` able to administer and sign agreements. */
function officer(world: World, organizationId: string): StaffActor {
  return {
    kind: 'staff',
    userId: `officer-${organizationId}`,
    practitionerId: `officer-${organizationId}`,
    organizationId,
    organizationType: organisationType(world, organizationId) ?? 'commissioner',
    roleCode: 'R0001',
    scopes: ['user/*.cruds'],
  };
}

export interface LoadedWorld {
  /** The world as the model sees it: agreement ids and break-glass expiry as the server made them,
   *  plus the resources the server created itself (break-glass alerts, audit records). */
  world: World;
  actors: Actor[];
  /** Every current resource as stored, by `Type/id`. */
  stored: Map<string, Resource>;
  /** Resource types present. */
  types: string[];
  /** Resources deleted by the world's changes: nobody may read them. */
  deleted: Resource[];
}

/**
 * Writes the world: FHIR resources in order (first versions of those changed later, and those
 * deleted later), agreements (created, signed, withdrawn), break-glass sessions; then the changes.
 */
export async function loadWorld(h: Harness, generated: GeneratedWorld): Promise<LoadedWorld> {
  const world: World = structuredClone(generated.world);
  const firstVersions = new Map(generated.changes.filter((c) => c.after).map((c) => [key(c.after!), c.before]));
  const deleted = generated.changes.filter((c) => !c.after).map((c) => c.before);
  // In four batches (one transaction each), every resource after those its labels depend on.
  const first = (list: Resource[]): Resource[] => list.map((r) => firstVersions.get(key(r)) ?? r);
  const batches: Resource[][] = [
    [...world.organisations, ...world.practitioners],
    world.patients,
    first([
      ...world.relatedPersons,
      ...world.encounters,
      ...world.episodes,
      ...world.careTeams,
      ...world.serviceRequests,
    ]),
    [...first([...world.consents, ...world.clinical]), ...deleted],
  ];
  for (const batch of batches.filter((b) => b.length > 0)) {
    await h.resources.transaction((service) =>
      service.writeMany(batch.map((resource) => ({ resource: structuredClone(resource), method: 'update' as const }))),
    );
  }
  for (const agreement of world.agreements) {
    const created = await h.access.agreements.create(officer(world, agreement.providers[0]!), {
      title: agreement.title,
      purposes: agreement.purposes,
      lawfulBasis: agreement.lawfulBasis,
      validFrom: agreement.validFrom,
      validTo: agreement.validTo ?? null,
      providers: agreement.providers,
      recipients: agreement.recipients,
      recipientRoles: agreement.recipientRoles,
      categories: agreement.categories,
    });
    agreement.id = created.id;
    for (const signature of agreement.signatures) {
      await h.access.agreements.sign(officer(world, signature.organizationId), created.id);
    }
    if (agreement.withdrawn) {
      await h.access.agreements.withdraw(officer(world, agreement.providers[0]!), created.id, 'No longer needed');
    }
  }
  const now = Date.now();
  world.breakGlass = [];
  for (const session of generated.world.breakGlass) {
    const actor = generated.actors.find((a): a is StaffActor => a.kind === 'staff' && a.userId === session.userId)!;
    const module = Date.parse(session.expiresAt) > now ? h.access : h.expiring;
    const started = await module.breakGlass.start(actor, session.patientId, session.reason);
    world.breakGlass.push({
      userId: actor.userId,
      patientId: started.patientId,
      reason: started.reason,
      expiresAt: started.expiresAt,
    });
  }
  world.declared = [];
  for (const declaration of generated.world.declared ?? []) {
    const actor = generated.actors.find(
      (a): a is StaffActor => a.kind === 'staff' && a.practitionerId === declaration.practitionerId,
    )!;
    const module = Date.parse(declaration.expiresAt) > now ? h.access : h.expiring;
    const declared = await module.declared.declare(
      actor,
      declaration.patientId,
      'Covering the duty doctor on the ward',
    );
    world.declared.push({
      practitionerId: actor.practitionerId,
      patientId: declared.patientId,
      expiresAt: declared.expiresAt,
    });
  }
  for (const change of generated.changes) {
    if (change.after) {
      await h.resources.update(change.after.resourceType, change.after.id!, structuredClone(change.after));
    } else {
      await h.resources.delete(change.before.resourceType, change.before.id!);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 20)); // Let the short sessions expire.
  // Everything stored, including what the server wrote itself.
  const types = (
    await h.db.query<{ resource_type: string }>('select distinct resource_type from resource order by 1')
  ).map((r) => r.resource_type);
  const stored = new Map<string, Resource>();
  for (const type of types) {
    for (const resource of await searchAll(h.resources, type)) {
      stored.set(key(resource), resource);
    }
  }
  const known = new Set(allResources(world).map(key));
  for (const [k, resource] of stored) {
    if (!known.has(k)) {
      world.clinical.push(resource);
    }
  }
  return { world, actors: generated.actors, stored, types, deleted };
}

/** Types searched by `patient=` in the pinned comparison: the clinical ones the generator writes. */
const PINNED_TYPES = ['Observation', 'Condition', 'Encounter', 'DocumentReference', 'MedicationRequest'];

/**
 * The policy has a second form for rows known to belong to one patient (a search pinned by
 * `patient=`, and `$everything`): it must decide exactly as the general form, which the model
 * checks. So for every patient: `T?patient=P` as the actor = (the actor's `T` search) ∩
 * (`T?patient=P` unrestricted), and `Patient/P/$everything` as the actor = (everything the actor
 * found by type) ∩ (`$everything` unrestricted), or 404 when the actor may not see P.
 */
async function comparePinned(
  h: Harness,
  service: ResourceService,
  actor: Actor,
  world: World,
  types: readonly string[],
  seen: ReadonlySet<string>,
): Promise<Disagreement[]> {
  const out: Disagreement[] = [];
  const differ = (resource: Resource, expected: boolean, got: boolean): void => {
    out.push({ kind: 'search', actor, resource, expected: expected ? 'allow' : 'deny', got: got ? 'allow' : 'deny' });
  };
  const compare = (label: string, all: Resource[], got: Set<string>, visible = (k: string) => seen.has(k)): void => {
    for (const resource of all) {
      const expected = visible(key(resource));
      if (expected !== got.has(key(resource))) {
        differ({ ...resource, id: `${resource.id} (${label})` }, expected, got.has(key(resource)));
      }
    }
  };
  for (const patient of world.patients) {
    for (const type of PINNED_TYPES.filter((t) => types.includes(t))) {
      const query: [string, string][] = [
        ['patient', patient.id!],
        ['_count', '1000'],
      ];
      const all = (await h.resources.search(type, query)).entry?.map((e) => e.resource!) ?? [];
      const pinned = (await service.search(type, query)).entry?.map((e) => e.resource!) ?? [];
      compare(`${type}?patient=${patient.id}`, all, new Set(pinned.map(key)));
    }
    // The compartment's own resources (what they point to depends on which of them are visible).
    const compartment = await h.resources.searchContext().db.query<{ resource_type: string; id: string }>(
      `select resource_type, id from resource where not deleted
            and ((resource_type = 'Patient' and id = $1) or compartments @> array[$1]::text[])`,
      [patient.id!],
    );
    const own = new Set(compartment.map((row) => `${row.resource_type}/${row.id}`));
    const everything = await patientEverything(h.resources, patient.id!, {});
    const all = (everything.entry ?? []).map((e) => e.resource!).filter((r) => own.has(key(r)));
    const got = await patientEverything(service, patient.id!, {}).then(
      (bundle) => new Set((bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => key(e.resource!))),
      () => new Set<string>(),
    );
    // `$everything` answers 404 when the patient themselves is hidden, whatever else would be visible.
    const patientSeen = seen.has(`Patient/${patient.id}`);
    const inTypes = all.filter((r) => types.includes(r.resourceType));
    compare(`Patient/${patient.id}/$everything`, inTypes, got, (k) => patientSeen && seen.has(k));
  }
  return out;
}

/** `Patient/…` of the resource's `subject`, what the `patient` search parameter of the pinned types follows. */
function subjectPatient(world: World, resource: Resource): string | undefined {
  const local = localRef(world, (resource as { subject?: Reference }).subject);
  return local?.startsWith('Patient/') ? local : undefined;
}

const matchKeys = (bundle: Bundle): Set<string> =>
  new Set((bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => key(e.resource!)));

/**
 * Searches that join other rows must see only what the actor may see, or they answer yes/no
 * questions about hidden records: for each clinical type T, `Patient?_has:T:patient:_id=…` finds a
 * Patient only when the Patient and one of its T rows are both visible; `T?patient._id=…` (a chain)
 * finds a T row only when it and its Patient are; and `T?_summary=count` counts exactly the visible
 * rows. `seen` (the actor's plain searches, themselves compared with the model) is the oracle.
 */
async function compareJoins(
  service: ResourceService,
  actor: Actor,
  world: World,
  types: readonly string[],
  seen: ReadonlySet<string>,
): Promise<Disagreement[]> {
  const out: Disagreement[] = [];
  const compare = (
    label: string,
    candidates: Resource[],
    got: Set<string>,
    expected: (r: Resource) => boolean,
  ): void => {
    for (const resource of candidates) {
      if (expected(resource) !== got.has(key(resource))) {
        out.push({
          kind: 'search',
          actor,
          resource: { ...resource, id: `${resource.id} (${label})` },
          expected: expected(resource) ? 'allow' : 'deny',
          got: got.has(key(resource)) ? 'allow' : 'deny',
        });
      }
    }
  };
  const patientIds = world.patients.map((p) => p.id!).join(',');
  for (const type of PINNED_TYPES.filter((t) => types.includes(t))) {
    const rows = allResources(world).filter((r) => r.resourceType === type);
    if (!rows.length) {
      continue;
    }
    const has = `_has:${type}:patient:_id`;
    const withRows = await service.search('Patient', [
      [has, rows.map((r) => r.id!).join(',')],
      ['_count', '1000'],
    ]);
    compare(
      `Patient?${has}`,
      world.patients,
      matchKeys(withRows),
      (p) => seen.has(key(p)) && rows.some((r) => seen.has(key(r)) && subjectPatient(world, r) === `Patient/${p.id}`),
    );
    const chained = await service.search(type, [
      ['patient._id', patientIds],
      ['_count', '1000'],
    ]);
    compare(`${type}?patient._id`, rows, matchKeys(chained), (r) => {
      const patient = subjectPatient(world, r);
      return seen.has(key(r)) && patient !== undefined && seen.has(patient);
    });
    out.push(...(await compareCount(service, actor, type, seen)));
  }
  // Owned data (worklists, cohorts) names patients without being theirs: `_has` through it finds a
  // Patient only when the actor may see the Patient and a list naming them, and counts only visible lists.
  for (const [type, param] of OWNED_JOINS.filter(([t]) => types.includes(t))) {
    const rows = allResources(world).filter((r) => r.resourceType === type);
    if (!rows.length) {
      continue;
    }
    const has = `_has:${type}:${param}:_id`;
    const found = await service.search('Patient', [
      [has, rows.map((r) => r.id!).join(',')],
      ['_count', '1000'],
    ]);
    compare(
      `Patient?${has}`,
      world.patients,
      matchKeys(found),
      (p) => seen.has(key(p)) && rows.some((r) => seen.has(key(r)) && namesPatient(world, r, `Patient/${p.id}`)),
    );
    out.push(...(await compareCount(service, actor, type, seen)));
  }
  return out;
}

/** Owned types and the search parameter by which they name patients. */
const OWNED_JOINS: readonly [string, string][] = [
  ['List', 'item'],
  ['Group', 'member'],
];

/** The worklist's entries or the cohort's members include `patient`. */
function namesPatient(world: World, resource: Resource, patient: string): boolean {
  const named =
    resource.resourceType === 'List'
      ? (resource.entry ?? []).map((e) => e.item)
      : resource.resourceType === 'Group'
        ? (resource.member ?? []).map((m) => m.entity)
        : [];
  return named.some((ref) => localRef(world, ref) === patient);
}

/** `T?_summary=count` counts exactly the rows of T the actor's plain search found. */
async function compareCount(
  service: ResourceService,
  actor: Actor,
  type: string,
  seen: ReadonlySet<string>,
): Promise<Disagreement[]> {
  const counted = await service.search(type, [['_summary', 'count']]);
  const visible = [...seen].filter((k) => k.startsWith(`${type}/`)).length;
  return counted.total === visible
    ? []
    : [
        {
          kind: 'search',
          actor,
          resource: { resourceType: type, id: '(_summary=count)' } as Resource,
          expected: `total ${visible}`,
          got: `total ${counted.total}`,
        },
      ];
}

/** Every match of a search for `type`, following `next` links. */
export async function searchAll(service: ResourceService, type: string): Promise<Resource[]> {
  const found: Resource[] = [];
  let query: [string, string][] = [['_count', '1000']];
  for (let page = 0; page < 100; page++) {
    const bundle: Bundle = await service.search(type, query);
    found.push(...(bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource!));
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next) {
      return found;
    }
    query = [...new URL(next).searchParams];
  }
  throw new Error(`More than 100 pages searching ${type}`);
}

export interface Disagreement {
  kind: 'read' | 'search' | 'label' | WriteRequest['method'];
  actor?: Actor;
  resource: Resource;
  expected: string;
  got: string;
  decision?: Decision;
}

export interface Comparison {
  /** (actor, resource) pairs compared, each by a read and by a search. */
  cases: number;
  allowed: number;
  labelChecks: number;
  rules: Map<string, number>;
  disagreements: Disagreement[];
}

/**
 * The labels the server stored: it writes the source organisation it derived into meta.source as
 * `{fhirBase}/Organization/{id}`, so a resource whose model source is S must carry that.
 */
export function compareLabels(loaded: LoadedWorld, fhirBase: string, generated: GeneratedWorld): Disagreement[] {
  const disagreements: Disagreement[] = [];
  for (const original of allResources(generated.world)) {
    const stored = loaded.stored.get(key(original));
    const source = sourceOrganisationOf(loaded.world, original);
    if (!stored) {
      disagreements.push({ kind: 'label', resource: original, expected: 'stored', got: 'missing' });
    } else if (source !== null && stored.meta?.source !== `${fhirBase}/Organization/${source}`) {
      disagreements.push({
        kind: 'label',
        resource: original,
        expected: `meta.source ${fhirBase}/Organization/${source}`,
        got: `meta.source ${stored.meta?.source ?? '(none)'}`,
      });
    }
  }
  return disagreements;
}

function describeError(error: unknown): string {
  if (isOperationOutcomeError(error)) {
    return `${error.status} ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** For each actor: search every type, read every resource; compare with the model's decisions. */
export async function compareReads(h: Harness, loaded: LoadedWorld, now: Date): Promise<Comparison> {
  const { world, actors, types } = loaded;
  const resources = allResources(world);
  const result: Comparison = { cases: 0, allowed: 0, labelChecks: 0, rules: new Map(), disagreements: [] };
  for (const [index, actor] of actors.entries()) {
    // Every third actor's accesses are audited too, so auditing is seen not to change decisions.
    const service = h.resources.forCaller(h.access.accessFor(actor, { audit: index % 3 === 0 }));
    const seen = new Set<string>();
    const searchErrors = new Map<string, string>();
    for (const type of types) {
      try {
        for (const resource of await searchAll(service, type)) {
          seen.add(key(resource));
        }
      } catch (error) {
        searchErrors.set(type, describeError(error));
      }
    }
    if (!searchErrors.size) {
      result.disagreements.push(...(await comparePinned(h, service, actor, world, types, seen)));
      result.disagreements.push(...(await compareJoins(service, actor, world, types, seen)));
    }
    const known = new Set(resources.map(key));
    for (const unexpected of [...seen].filter((k) => !known.has(k))) {
      const [resourceType, id] = unexpected.split('/');
      result.disagreements.push({
        kind: 'search',
        actor,
        resource: { resourceType, id } as Resource,
        expected: 'not in the record (deleted)',
        got: 'allow',
      });
    }
    for (const resource of loaded.deleted) {
      try {
        await service.read(resource.resourceType, resource.id!);
        result.disagreements.push({ kind: 'read', actor, resource, expected: 'gone (deleted)', got: 'allow' });
      } catch (error) {
        if (!isOperationOutcomeError(error) || ![404, 410].includes(error.status)) {
          const got = `error ${describeError(error)}`;
          result.disagreements.push({ kind: 'read', actor, resource, expected: 'gone (deleted)', got });
        }
      }
    }
    for (const resource of resources) {
      const decision = decideRead(world, actor, resource, now);
      result.cases++;
      result.allowed += decision.allow ? 1 : 0;
      result.rules.set(decision.rule, (result.rules.get(decision.rule) ?? 0) + 1);
      const expected = decision.allow ? 'allow' : 'deny';
      let read: string;
      try {
        await service.read(resource.resourceType, resource.id!);
        read = 'allow';
      } catch (error) {
        read = isOperationOutcomeError(error) && error.status === 404 ? 'deny' : `error ${describeError(error)}`;
      }
      if (read !== expected) {
        result.disagreements.push({ kind: 'read', actor, resource, expected, got: read, decision });
      }
      const searchError = searchErrors.get(resource.resourceType);
      const searched = searchError ? `error ${searchError}` : seen.has(key(resource)) ? 'allow' : 'deny';
      if (searched !== expected) {
        result.disagreements.push({ kind: 'search', actor, resource, expected, got: searched, decision });
      }
    }
  }
  return result;
}

/** A readable account of one disagreement: who, what, the model's rule, and the world around it. */
export function explain(world: World, d: Disagreement): string {
  const lines: string[] = [];
  const labels = labelsOf(world, d.resource);
  lines.push(`${d.kind.toUpperCase()}: expected ${d.expected}, server ${d.got}`);
  if (d.actor) {
    lines.push(`actor: ${JSON.stringify(d.actor)}`);
  }
  lines.push(`resource: ${JSON.stringify(d.resource)}`);
  lines.push(
    `model labels: patient ${labels.patientId}, source ${labels.sourceOrg} (${organisationType(world, labels.sourceOrg) ?? 'unknown type'}), category ${labels.category}`,
  );
  if (d.decision) {
    lines.push(`model rule: ${d.decision.rule}${d.decision.detail ? ` (${d.decision.detail})` : ''}`);
  }
  const patientId = labels.patientId;
  if (patientId) {
    const about = (r: Resource): boolean => labelsOf(world, r).patientId === patientId;
    const context = [
      ...world.patients.filter((p) => p.id === patientId),
      ...world.careTeams.filter(about),
      ...world.serviceRequests.filter(about),
      ...world.encounters.filter(about),
      ...world.episodes.filter(about),
      ...world.consents.filter(about),
    ];
    lines.push('patient context:', ...context.map((r) => `  ${JSON.stringify(r)}`));
  }
  const orgs = new Set([labels.sourceOrg, d.actor?.kind === 'staff' ? d.actor.organizationId : undefined]);
  const agreements = world.agreements.filter((a) => [...a.providers, ...a.recipients].some((o) => orgs.has(o)));
  if (agreements.length) {
    lines.push('agreements:', ...agreements.map((a) => `  ${JSON.stringify(a)}`));
  }
  if (world.declared?.length) {
    lines.push(`declared relationships: ${JSON.stringify(world.declared)}`);
  }
  if (world.breakGlass.length) {
    lines.push(`break-glass: ${JSON.stringify(world.breakGlass)}`);
  }
  lines.push(
    `organisations: ${world.organisations.map((o) => `${o.id}=${organisationType(world, o.id!) ?? '?'}`).join(', ')}`,
  );
  return lines.join('\n');
}

/**
 * Writes the spec leaves open, left out of the write comparison: what "the resources the portal
 * creates" are (the server lets a patient update only what the portal created, and create any
 * Observation; the model reads "Observations from devices" as Observation.device being set).
 */
function portalWrite(world: World, actor: Actor, write: WriteRequest): boolean {
  return (
    (actor.kind === 'patient' || actor.kind === 'related-person') &&
    write.method !== 'delete' &&
    ['Observation', 'Appointment', 'MedicationRequest'].includes(write.resource.resourceType) &&
    patientOf(world, write.resource) === actor.patientId
  );
}

const ROLLBACK = new Error('rolled back');

/**
 * For each actor and every `sample`-th resource (a different slice per actor): create a copy,
 * update it unchanged, delete it — each in a transaction that is rolled back — and compare the
 * outcome (403/404/422 = denied) with the model.
 */
export async function compareWrites(h: Harness, loaded: LoadedWorld, now: Date, sample = 1): Promise<Comparison> {
  const { world, actors } = loaded;
  const result: Comparison = { cases: 0, allowed: 0, labelChecks: 0, rules: new Map(), disagreements: [] };
  for (const [index, actor] of actors.entries()) {
    const access = h.access.accessFor(actor, { audit: false });
    for (const resource of allResources(world).filter((_, i) => (i + index) % sample === 0)) {
      const copy = { ...structuredClone(resource), id: undefined } as Resource;
      const writes: WriteRequest[] = [
        { method: 'create', resource: copy },
        { method: 'update', resource, previous: resource },
        { method: 'delete', resource, previous: resource },
      ];
      for (const write of writes) {
        if (portalWrite(world, actor, write)) {
          continue;
        }
        const decision = decideWrite(world, actor, write, now);
        result.cases++;
        result.allowed += decision.allow ? 1 : 0;
        result.rules.set(decision.rule, (result.rules.get(decision.rule) ?? 0) + 1);
        let got: string;
        try {
          await h.resources.transaction(async (tx) => {
            const service = tx.forCaller(access);
            if (write.method === 'create') {
              await service.create(resource.resourceType, structuredClone(copy));
            } else if (write.method === 'update') {
              await service.update(resource.resourceType, resource.id!, structuredClone(resource));
            } else {
              await service.delete(resource.resourceType, resource.id!);
            }
            throw ROLLBACK;
          });
          got = 'error: the write was not rolled back';
        } catch (error) {
          got =
            error === ROLLBACK
              ? 'allow'
              : isOperationOutcomeError(error) && [403, 404, 422].includes(error.status)
                ? 'deny'
                : `error ${describeError(error)}`;
        }
        const expected = decision.allow ? 'allow' : 'deny';
        if (got !== expected) {
          result.disagreements.push({ kind: write.method, actor, resource, expected, got, decision });
        }
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Minimising a counterexample
// ---------------------------------------------------------------------------------------------

/** Compares one loaded world (for the actors in `loaded.actors`) and returns the disagreements. */
export type Check = (loaded: LoadedWorld, generated: GeneratedWorld, now: Date) => Promise<Disagreement[]>;

const signature = (d: Disagreement): string =>
  `${d.kind}|${d.actor ? JSON.stringify(d.actor) : ''}|${key(d.resource)}|${d.expected}|${d.got.split(' ')[0]}`;

type WorldList = Exclude<keyof World, 'fhirBase'>;
const LISTS: readonly WorldList[] = [
  'organisations',
  'practitioners',
  'patients',
  'relatedPersons',
  'encounters',
  'episodes',
  'careTeams',
  'serviceRequests',
  'consents',
  'clinical',
  'agreements',
  'breakGlass',
  'declared',
];

export interface Minimised {
  generated: GeneratedWorld;
  /** The minimised world as loaded (undefined when not even the original reproduced). */
  loaded?: LoadedWorld;
  disagreement: Disagreement;
  attempts: number;
}

/**
 * Shrinks a failing world to the parts a disagreement needs (delta debugging: drop ever smaller
 * chunks of resources, agreements and sessions while the same disagreement persists). Only the
 * failing actor is compared. fast-check's own shrinking regenerates whole worlds, each costing a
 * database load, and gets nowhere in minutes; this takes a few dozen loads.
 */
export async function minimise(
  h: Harness,
  generated: GeneratedWorld,
  target: Disagreement,
  check: Check,
  budgetMs: number,
): Promise<Minimised> {
  const deadline = Date.now() + budgetMs;
  const wanted = signature(target);
  let attempts = 0;
  let best: Minimised | undefined;
  const reproduces = async (candidate: GeneratedWorld): Promise<boolean> => {
    attempts++;
    try {
      await clearDatabase(h.db);
      const loaded = await loadWorld(h, candidate);
      loaded.actors = target.actor ? [target.actor] : [];
      const found = (await check(loaded, candidate, new Date())).find((d) => signature(d) === wanted);
      if (found) {
        best = { generated: candidate, loaded, disagreement: found, attempts };
      }
      return Boolean(found);
    } catch {
      return false; // A world the API refuses (e.g. an agreement with a removed party) proves nothing.
    }
  };

  let current = generated;
  if (current.changes.length > 0 && (await reproduces({ ...current, changes: [] }))) {
    current = { ...current, changes: [] };
  }
  // Units: every item of every list but the resource in question and what later changes touch.
  const fixed = new Set<unknown>(current.changes.flatMap((c) => [c.after]));
  const isTarget = (item: unknown): boolean =>
    typeof item === 'object' &&
    item !== null &&
    'resourceType' in item &&
    key(item as Resource) === key(target.resource);
  let units: [WorldList, unknown][] = LISTS.flatMap((list) =>
    (current.world[list] as unknown[])
      .filter((item) => !isTarget(item) && !fixed.has(item))
      .map((item): [WorldList, unknown] => [list, item]),
  );
  const build = (kept: [WorldList, unknown][]): GeneratedWorld => {
    const keep = new Set(kept.map(([, item]) => item));
    const world = { ...current.world };
    for (const list of LISTS) {
      (world[list] as unknown[]) = (current.world[list] as unknown[]).filter(
        (item) => keep.has(item) || isTarget(item) || fixed.has(item),
      );
    }
    return { ...current, world };
  };

  let chunks = 2;
  while (units.length > 0 && Date.now() < deadline) {
    const size = Math.ceil(units.length / chunks);
    let reduced = false;
    for (let start = 0; start < units.length && Date.now() < deadline; start += size) {
      const candidate = [...units.slice(0, start), ...units.slice(start + size)];
      if (await reproduces(build(candidate))) {
        units = candidate;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) {
        break;
      }
      chunks = Math.min(units.length, chunks * 2);
    }
  }
  if (!best) {
    await reproduces(current); // Nothing smaller reproduced: the original, if it still does.
  }
  return best ?? { generated, disagreement: target, attempts };
}

/** The minimised world as compact JSON lines, for a failure message. */
export function describeWorld(generated: GeneratedWorld): string {
  const lines: string[] = [];
  for (const list of LISTS) {
    for (const item of generated.world[list] as unknown[]) {
      lines.push(`  ${list}: ${JSON.stringify(item)}`);
    }
  }
  for (const change of generated.changes) {
    lines.push(`  change: ${JSON.stringify(change.after ?? { deleted: key(change.before) })}`);
  }
  return lines.join('\n');
}
