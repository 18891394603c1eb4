/**
 * fast-check arbitraries for whole random worlds (organisations, staff, patients, relationships,
 * agreements, consents, break-glass sessions, clinical data) as valid FHIR R4 JSON, and the actors
 * that act in them. Used by the policy property tests against the reference model (model.ts).
 *
 * Dates are generated relative to `now` (at day granularity around today, to hit the inclusive
 * edges, and at hour granularity for instants), so a world is only meaningful on the UTC day it was
 * generated for.
 */
import fc from 'fast-check';
import type {
  CareTeam,
  CodeableConcept,
  Coding,
  Consent,
  ConsentProvision,
  Encounter,
  EpisodeOfCare,
  Meta,
  Organization,
  Patient,
  Period,
  Practitioner,
  Reference,
  RelatedPerson,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import {
  DATA_CATEGORIES,
  DATA_CATEGORY_SYSTEM,
  ORGANISATION_TYPE_SYSTEM,
  ORGANISATION_TYPES,
  type Actor,
  type DataCategory,
  type OrganisationType,
  type StaffActor,
} from '../actor.ts';
import {
  isOutsideNhs,
  PURPOSES,
  type Agreement,
  type BreakGlassSession,
  type DeclaredRelationship,
  type Purpose,
  type World,
  PORTAL_ORIGIN_TAG,
} from './model.ts';

export interface GenerateOptions {
  now: Date;
  fhirBase: string;
  /**
   * Also generate what the spec leaves open (see the readings in model.ts): several sensitive
   * labels on one resource, consents naming care teams with participation periods or without a
   * status, DocumentReference.context.encounter, Patients with several registered practices.
   */
  ambiguous?: boolean;
  /** Upper bounds on the world's size. */
  maxOrganisations?: number;
  maxPatients?: number;
  minClinical?: number;
  maxClinical?: number;
  /** Break-glass sessions: 'none', 'active' (unexpired only) or 'any' (also expired). */
  breakGlass?: 'none' | 'active' | 'any';
}

export interface GeneratedWorld {
  /** The world as it ends up, after `changes`. */
  world: World;
  /** Everyone who acts in the world: staff in each role profile, patients, carers, a system. */
  actors: Actor[];
  /**
   * What happened after the world was first written: revocations, status changes and deletions of
   * consents, care teams, referrals, episodes, encounters and clinical data. `before` is the first
   * version; `after` the current one, or absent when the resource was deleted. No change alters
   * another resource's labels (those are fixed when that resource is written).
   */
  changes: Change[];
}

export interface Change {
  before: Resource;
  after?: Resource;
}

// The vocabulary of organisation types is shared with the server; the rules about them are not.
export { ORGANISATION_TYPES };
export const ROLE_CODES = ['R8000', 'R8001', 'R8003', 'R8008', 'R8010', 'R8012', 'R8013', 'R0001'] as const;

const RECIPIENT_ROLE_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/recipient-job-role';
const RBAC_SYSTEM = 'https://careweave.example/fhir/CodeSystem/rbac-job-role';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const SENSITIVITY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/sensitivity';
const DAY = 86_400_000;
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Small pieces
// ---------------------------------------------------------------------------------------------

const pick = <T>(items: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...items);
const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq });
// `never` makes the reference fit every typed Reference<T> field.
const ref = (reference: string): Reference<never> => ({ reference });
const cc = (system: string, code: string, display?: string): CodeableConcept => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
});

function isoDate(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY).toISOString().slice(0, 10);
}
function isoInstant(now: Date, ms: number): string {
  return new Date(now.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A date or dateTime near now: days around today (inclusive edges) or hours/months from now. */
function dateTimeArb(now: Date): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: -2, max: 2 }).map((d) => isoDate(now, d)), weight: 3 },
    { arbitrary: pick([-48, -3, -1, 1, 3, 48]).map((h) => isoInstant(now, h * HOUR)), weight: 2 },
    { arbitrary: pick([-400, -60, 60, 400]).map((d) => isoDate(now, d)), weight: 1 },
  );
}

function periodArb(now: Date): fc.Arbitrary<Period | undefined> {
  return maybe(
    fc
      .record({ start: maybe(dateTimeArb(now), 2), end: maybe(dateTimeArb(now), 2) })
      .filter((p) => p.start === undefined || p.end === undefined || Date.parse(p.start) <= Date.parse(p.end))
      .map((p) => ({ ...(p.start ? { start: p.start } : {}), ...(p.end ? { end: p.end } : {}) })),
    2,
  );
}

/** meta.source in each form the spec mentions, or absent, or not an organisation. */
function sourceArb(options: GenerateOptions, orgIds: readonly string[]): fc.Arbitrary<string | undefined> {
  const org = pick(orgIds);
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: org.map((id) => `Organization/${id}`), weight: 5 },
    { arbitrary: org.map((id) => `${options.fhirBase}/Organization/${id}`), weight: 2 },
    { arbitrary: org.map((id) => `https://elsewhere.example/fhir/Organization/${id}`), weight: 1 },
    {
      arbitrary: pick([
        'urn:uuid:0f6f7a4e-5b0c-4d55-9a3e-1c2b3d4e5f60',
        'https://device.example/Device/7',
        'Organization/no-such-org',
      ]),
      weight: 1,
    },
  );
}

/** Security labels: none mostly, one sensitive or not; several only in ambiguous mode. */
function securityArb(options: GenerateOptions): fc.Arbitrary<Coding[]> {
  const sensitive = fc.oneof(
    pick(['PSY', 'PSYTHPN', 'MH', 'SEX', 'STD', 'HIV', 'SDV', 'SOC']).map((code): Coding => ({
      system: ACT_CODE,
      code,
    })),
    fc.constant<Coding>({ system: SENSITIVITY_SYSTEM, code: 'safeguarding' }),
  );
  const harmless = pick<Coding>([
    { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' },
    { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' },
    { system: ACT_CODE, code: 'ETH' },
    { system: 'http://example.org/not-act-code', code: 'HIV' },
    { system: SENSITIVITY_SYSTEM, code: 'not-safeguarding' },
  ]);
  // Not for online view, and its release (which matters only on safeguarding).
  const onlineView = pick<Coding>([
    { system: SENSITIVITY_SYSTEM, code: 'not-for-online-view' },
    { system: SENSITIVITY_SYSTEM, code: 'online-view-released' },
  ]);
  return fc.oneof(
    { arbitrary: fc.constant<Coding[]>([]), weight: 6 },
    { arbitrary: sensitive.map((c) => [c]), weight: 3 },
    { arbitrary: harmless.map((c) => [c]), weight: 1 },
    { arbitrary: fc.tuple(harmless, sensitive).map(([a, b]) => [a, b]), weight: 1 },
    { arbitrary: onlineView.map((c) => [c]), weight: 1 },
    { arbitrary: fc.tuple(sensitive, onlineView).map(([a, b]) => [a, b]), weight: 1 },
    ...(options.ambiguous ? [{ arbitrary: fc.tuple(sensitive, sensitive).map(([a, b]) => [a, b]), weight: 1 }] : []),
  );
}

function metaArb(options: GenerateOptions, orgIds: readonly string[]): fc.Arbitrary<Meta | undefined> {
  return fc
    .record({ source: sourceArb(options, orgIds), security: securityArb(options) })
    .map(({ source, security }) =>
      source || security.length > 0
        ? { ...(source ? { source } : {}), ...(security.length > 0 ? { security } : {}) }
        : undefined,
    );
}

/** Adds `meta` to a resource only when there is one (keeps the JSON minimal for counterexamples). */
/** The generated meta, keeping any tag the resource already carries (the portal's origin tag). */
function withMeta<T extends Resource>(resource: T, meta: Meta | undefined): T {
  if (!meta) {
    return resource;
  }
  const tag = [...(resource.meta?.tag ?? []), ...(meta.tag ?? [])];
  return { ...resource, meta: { ...meta, ...(tag.length ? { tag } : {}) } };
}

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

interface Shape {
  orgTypes: OrganisationType[];
  practitioners: number;
  patients: number;
}

/** Organisations, practitioners and patients: the ids everything else refers to. */
function shapeArb(options: GenerateOptions): fc.Arbitrary<Shape> {
  return fc.record({
    orgTypes: fc.array(pick(ORGANISATION_TYPES), { minLength: 2, maxLength: options.maxOrganisations ?? 6 }),
    practitioners: fc.integer({ min: 1, max: 5 }),
    patients: fc.integer({ min: 1, max: options.maxPatients ?? 4 }),
  });
}

export function worldArbitrary(options: GenerateOptions): fc.Arbitrary<GeneratedWorld> {
  return shapeArb(options).chain((shape) => detailArb(shape, options));
}

function detailArb(shape: Shape, options: GenerateOptions): fc.Arbitrary<GeneratedWorld> {
  const { now } = options;
  const orgIds = shape.orgTypes.map((_, i) => `org${i + 1}`);
  const practitionerIds = Array.from({ length: shape.practitioners }, (_, i) => `pr${i + 1}`);
  const patientIds = Array.from({ length: shape.patients }, (_, i) => `pat${i + 1}`);
  const orgRef = pick(orgIds).map((id) => `Organization/${id}`);
  const practitionerRef = pick(practitionerIds).map((id) => `Practitioner/${id}`);
  const meta = metaArb(options, orgIds);

  const organisations: Organization[] = shape.orgTypes.map((type, i) => ({
    resourceType: 'Organization',
    id: orgIds[i],
    active: true,
    name: `${type} ${i + 1}`,
    type: [cc(ORGANISATION_TYPE_SYSTEM, type)],
  }));
  const practitioners: Practitioner[] = practitionerIds.map((id) => ({
    resourceType: 'Practitioner',
    id,
    name: [{ family: `Practitioner ${id}` }],
  }));

  // Role profiles: (organisation, practitioner, role); a practitioner may work in several.
  const profiles = fc.uniqueArray(
    fc.record({
      org: fc.nat({ max: orgIds.length - 1 }),
      practitioner: fc.nat({ max: practitionerIds.length - 1 }),
      role: pick(ROLE_CODES),
    }),
    { minLength: 1, maxLength: Math.min(8, orgIds.length * 2), selector: (p) => `${p.org}/${p.practitioner}` },
  );

  const patientArb = (id: string): fc.Arbitrary<Patient> =>
    fc
      .record({
        practice: maybe(orgRef, 5),
        practitioner: maybe(practitionerRef, 3),
        secondPractice: options.ambiguous ? maybe(orgRef, 4) : fc.constant(undefined),
        managing: maybe(orgRef, 3),
        meta,
      })
      .map(({ practice, practitioner, secondPractice, managing, meta: m }) => {
        const gps = [practitioner, practice, secondPractice].filter((r): r is string => r !== undefined).map(ref);
        return withMeta<Patient>(
          {
            resourceType: 'Patient',
            id,
            name: [{ family: `Patient ${id}` }],
            ...(gps.length ? { generalPractitioner: gps } : {}),
            ...(managing ? { managingOrganization: ref(managing) } : {}),
          },
          m,
        );
      });

  const perPatient = <T>(arb: (patientId: string) => fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> =>
    fc.tuple(...patientIds.map((p) => fc.array(arb(p), { maxLength: max }))).map((lists) => lists.flat());

  const relatedPersonsArb = perPatient(
    (patientId) =>
      meta.map((m): RelatedPerson =>
        withMeta<RelatedPerson>(
          {
            resourceType: 'RelatedPerson',
            patient: ref(`Patient/${patientId}`),
            relationship: [cc('http://terminology.hl7.org/CodeSystem/v3-RoleCode', 'DAU', 'daughter')],
          },
          m,
        ),
      ),
    2,
  );

  const encountersArb = perPatient(
    (patientId) =>
      fc
        .record({
          status: fc.oneof(
            { arbitrary: pick(['in-progress', 'arrived', 'triaged', 'onleave'] as const), weight: 3 },
            {
              arbitrary: pick(['planned', 'finished', 'cancelled', 'entered-in-error', 'unknown'] as const),
              weight: 2,
            },
          ),
          provider: maybe(orgRef, 5),
          meta,
        })
        .map(({ status, provider, meta: m }) =>
          withMeta<Encounter>(
            {
              resourceType: 'Encounter',
              status,
              class: { system: ACT_CODE, code: 'AMB' },
              subject: ref(`Patient/${patientId}`),
              ...(provider ? { serviceProvider: ref(provider) } : {}),
            },
            m,
          ),
        ),
    3,
  );

  const episodesArb = perPatient(
    (patientId) =>
      fc
        .record({
          status: fc.oneof(
            { arbitrary: fc.constant('active' as const), weight: 3 },
            { arbitrary: pick(['planned', 'waitlist', 'onhold', 'finished', 'cancelled'] as const), weight: 2 },
          ),
          managing: maybe(orgRef, 5),
          meta,
        })
        .map(({ status, managing, meta: m }) =>
          withMeta<EpisodeOfCare>(
            {
              resourceType: 'EpisodeOfCare',
              status,
              patient: ref(`Patient/${patientId}`),
              ...(managing ? { managingOrganization: ref(managing) } : {}),
            },
            m,
          ),
        ),
    2,
  );

  const careTeamsArb = perPatient(
    (patientId) =>
      fc
        .record({
          status: fc.oneof(
            { arbitrary: fc.constant('active' as const), weight: 4 },
            { arbitrary: fc.constant(undefined), weight: 1 },
            { arbitrary: pick(['proposed', 'suspended', 'inactive', 'entered-in-error'] as const), weight: 2 },
          ),
          participants: fc.array(
            fc.record({
              member: fc.oneof(
                { arbitrary: orgRef, weight: 3 },
                { arbitrary: practitionerRef, weight: 2 },
                { arbitrary: fc.constant(`Patient/${patientId}`), weight: 1 },
              ),
              period: periodArb(now),
            }),
            { minLength: 1, maxLength: 3 },
          ),
          meta,
        })
        .map(({ status, participants, meta: m }) =>
          withMeta<CareTeam>(
            {
              resourceType: 'CareTeam',
              ...(status ? { status } : {}),
              subject: ref(`Patient/${patientId}`),
              participant: participants.map((p) => ({
                member: ref(p.member),
                ...(p.period ? { period: p.period } : {}),
              })),
            },
            m,
          ),
        ),
    2,
  );

  // Teams of staff with no subject (a frailty MDT, a district nursing team): owned data may be shared with them.
  const staffTeamsArb = fc.array(
    fc
      .record({
        status: fc.oneof(
          { arbitrary: fc.constant('active' as const), weight: 4 },
          { arbitrary: fc.constant(undefined), weight: 1 },
          { arbitrary: pick(['inactive', 'suspended'] as const), weight: 1 },
        ),
        participants: fc.array(
          fc.record({
            member: fc.oneof({ arbitrary: orgRef, weight: 1 }, { arbitrary: practitionerRef, weight: 2 }),
            period: periodArb(now),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      })
      .map(({ status, participants }): CareTeam => ({
        resourceType: 'CareTeam',
        ...(status ? { status } : {}),
        name: 'Frailty MDT',
        participant: participants.map((p) => ({ member: ref(p.member), ...(p.period ? { period: p.period } : {}) })),
      })),
    { maxLength: 2 },
  );

  const serviceRequestsArb = perPatient(
    (patientId) =>
      fc
        .record({
          status: fc.oneof(
            { arbitrary: fc.constant('active' as const), weight: 3 },
            {
              arbitrary: pick(['draft', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'] as const),
              weight: 2,
            },
          ),
          performers: fc.array(fc.oneof(orgRef, practitionerRef), { maxLength: 2 }),
          meta,
        })
        .map(({ status, performers, meta: m }) =>
          withMeta<ServiceRequest>(
            {
              resourceType: 'ServiceRequest',
              status,
              intent: 'order',
              code: cc('http://snomed.info/sct', '306206005', 'Referral to service'),
              subject: ref(`Patient/${patientId}`),
              ...(performers.length ? { performer: performers.map(ref) } : {}),
            },
            m,
          ),
        ),
    2,
  );

  return fc
    .record({
      profiles,
      patients: fc.tuple(...patientIds.map(patientArb)),
      relatedPersons: relatedPersonsArb,
      encounters: encountersArb,
      episodes: episodesArb,
      careTeams: careTeamsArb,
      staffTeams: staffTeamsArb,
      serviceRequests: serviceRequestsArb,
    })
    .chain((base) => {
      // Ids in write order, so a world reads naturally.
      const relatedPersons = base.relatedPersons.map((r, i) => ({ ...r, id: `rp${i + 1}` }));
      const encounters = base.encounters.map((e, i) => ({ ...e, id: `enc${i + 1}` }));
      const careTeams = [...base.careTeams, ...base.staffTeams].map((t, i) => ({ ...t, id: `ct${i + 1}` }));
      const staff: StaffActor[] = base.profiles.map((p) => ({
        kind: 'staff',
        userId: `user-${practitionerIds[p.practitioner]!}`,
        practitionerId: practitionerIds[p.practitioner]!,
        organizationId: orgIds[p.org]!,
        organizationType: shape.orgTypes[p.org]!,
        roleCode: p.role,
        scopes: ['user/*.cruds'],
      }));
      return fc
        .record({
          consents: perPatient(
            (patientId) => consentArb(options, patientId, organisations, practitionerIds, careTeams, relatedPersons),
            3,
          ),
          agreements: fc.array(agreementArb(now, orgIds), { minLength: 2, maxLength: 6 }),
          clinical: fc.array(clinicalArb(options, patientIds, orgIds, practitionerIds, encounters, careTeams), {
            minLength: options.minClinical ?? 1,
            maxLength: options.maxClinical ?? 25,
            size: 'max',
          }),
          breakGlass:
            options.breakGlass === 'none'
              ? fc.constant<BreakGlassSession[]>([])
              : fc.array(breakGlassArb(now, staff, patientIds, options.breakGlass === 'active'), { maxLength: 2 }),
          declared:
            options.breakGlass === 'none'
              ? fc.constant<DeclaredRelationship[]>([])
              : fc.array(declaredArb(now, staff, patientIds, options.breakGlass === 'active'), { maxLength: 2 }),
        })
        .map((rest): GeneratedWorld => {
          const world: World = {
            fhirBase: options.fhirBase,
            organisations,
            practitioners,
            patients: base.patients,
            relatedPersons,
            encounters,
            episodes: base.episodes.map((e, i) => ({ ...e, id: `eoc${i + 1}` })),
            careTeams,
            serviceRequests: base.serviceRequests.map((s, i) => ({ ...s, id: `sr${i + 1}` })),
            consents: rest.consents.map((c, i) => ({ ...c, id: `consent${i + 1}` })),
            clinical: rest.clinical.map((r, i) => ({ ...r, id: `${r.resourceType.toLowerCase()}${i + 1}` })),
            agreements: rest.agreements.map((a, i) => ({ ...a, id: `agreement${i + 1}`, title: `Agreement ${i + 1}` })),
            breakGlass: rest.breakGlass,
            declared: rest.declared,
          };
          const actors: Actor[] = [
            ...staff,
            ...patientIds.map((patientId): Actor => ({
              kind: 'patient',
              userId: `user-${patientId}`,
              patientId,
              scopes: ['patient/*.cruds'],
            })),
            ...relatedPersons.map((rp): Actor => ({
              kind: 'related-person',
              userId: `user-${rp.id}`,
              relatedPersonId: rp.id,
              patientId: rp.patient.reference!.slice('Patient/'.length),
              scopes: ['patient/*.cruds'],
            })),
            { kind: 'system', clientId: 'integration', scopes: ['system/*.cruds'] },
            { kind: 'system', clientId: 'research', purpose: 'research', scopes: ['system/*.rs'] },
          ];
          return { world, actors, changes: [] };
        })
        .chain((generated) => historyArb(generated, now));
    });
}

const STATUSES: Record<string, readonly string[]> = {
  Consent: ['active', 'inactive', 'draft', 'proposed', 'rejected', 'entered-in-error'],
  CareTeam: ['active', 'inactive', 'suspended', 'proposed', 'entered-in-error'],
  ServiceRequest: ['active', 'completed', 'revoked', 'on-hold', 'draft'],
  EpisodeOfCare: ['active', 'finished', 'onhold', 'cancelled'],
  Encounter: ['in-progress', 'arrived', 'triaged', 'onleave', 'planned', 'finished', 'cancelled'],
  Slot: ['free', 'busy', 'busy-unavailable'],
};

/** Up to six later changes to the world (see GeneratedWorld.changes). */
function historyArb(generated: GeneratedWorld, now: Date): fc.Arbitrary<GeneratedWorld> {
  const { world } = generated;
  const candidates: Resource[] = [
    ...world.consents,
    ...world.careTeams,
    ...world.serviceRequests,
    ...world.episodes,
    ...world.encounters,
    ...world.clinical,
  ];
  if (candidates.length === 0) {
    return fc.constant(generated);
  }
  const step = fc.record({
    target: fc.nat({ max: candidates.length - 1 }),
    action: pick(['status', 'delete', 'end-period'] as const),
    status: fc.nat({ max: 6 }),
  });
  return fc.uniqueArray(step, { maxLength: 6, selector: (s) => s.target }).map((steps) => {
    const changes: Change[] = steps.map(({ target, action, status }) => {
      const before = candidates[target]!;
      const statuses = STATUSES[before.resourceType];
      if (before.resourceType === 'Consent' && action === 'end-period') {
        // Revoking by ending the period (yesterday) of the top-level provision.
        const { period: _period, ...provision } = before.provision ?? {};
        void _period;
        return { before, after: { ...before, provision: { ...provision, period: { end: isoDate(now, -1) } } } };
      }
      if (statuses && (action !== 'delete' || before.resourceType === 'Encounter')) {
        return { before, after: { ...before, status: statuses[status % statuses.length] } as Resource };
      }
      return { before };
    });
    const replaced = new Map(changes.map((c) => [c.before, c.after]));
    const apply = <T extends Resource>(list: T[]): T[] =>
      list.flatMap((r) => (replaced.has(r) ? (replaced.get(r) ? [replaced.get(r) as T] : []) : [r]));
    return {
      ...generated,
      world: {
        ...world,
        consents: apply(world.consents),
        careTeams: apply(world.careTeams),
        serviceRequests: apply(world.serviceRequests),
        episodes: apply(world.episodes),
        encounters: apply(world.encounters),
        clinical: apply(world.clinical),
      },
      changes,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Consents
// ---------------------------------------------------------------------------------------------

function consentArb(
  options: GenerateOptions,
  patientId: string,
  organisations: readonly Organization[],
  practitionerIds: readonly string[],
  careTeams: readonly CareTeam[],
  relatedPersons: readonly (RelatedPerson & { id: string })[],
): fc.Arbitrary<Consent> {
  // Consents name any care team: with or without a status, with or without participation periods
  // (docs/ACCESS.md settles both).
  const nameable = careTeams;
  const ownTeams = nameable
    .filter((t) => t.subject?.reference === `Patient/${patientId}`)
    .map((t) => `CareTeam/${t.id}`);
  const otherTeams = nameable
    .filter((t) => t.subject?.reference !== `Patient/${patientId}`)
    .map((t) => `CareTeam/${t.id}`);
  const ownCarers = relatedPersons
    .filter((r) => r.patient.reference === `Patient/${patientId}`)
    .map((r) => `RelatedPerson/${r.id}`);
  const otherCarers = relatedPersons
    .filter((r) => r.patient.reference !== `Patient/${patientId}`)
    .map((r) => `RelatedPerson/${r.id}`);
  const orgIds = organisations.map((o) => o.id!);
  // Organisations outside the NHS see nothing without a permit naming them: name them often.
  const outside = organisations
    .filter((o) => isOutsideNhs(o.type?.[0]?.coding?.[0]?.code as OrganisationType))
    .map((o) => o.id!);
  const actorRef = fc.oneof(
    { arbitrary: pick(orgIds).map((id) => `Organization/${id}`), weight: 5 },
    ...(outside.length ? [{ arbitrary: pick(outside).map((id) => `Organization/${id}`), weight: 3 }] : []),
    { arbitrary: pick(practitionerIds).map((id) => `Practitioner/${id}`), weight: 2 },
    // An organisation's staff in one job role (a role on a person is ignored).
    {
      arbitrary: fc
        .tuple(
          pick([...orgIds.map((id) => `Organization/${id}`), ...practitionerIds.map((id) => `Practitioner/${id}`)]),
          pick(ROLE_CODES),
        )
        .map(([reference, role]) => `${reference}|${role}`),
      weight: 3,
    },
    ...(ownTeams.length ? [{ arbitrary: pick(ownTeams), weight: 2 }] : []),
    ...(otherTeams.length ? [{ arbitrary: pick(otherTeams), weight: 1 }] : []),
    ...(ownCarers.length ? [{ arbitrary: pick(ownCarers), weight: 3 }] : []),
    ...(otherCarers.length ? [{ arbitrary: pick(otherCarers), weight: 1 }] : []),
  );
  const category = fc.oneof(
    { arbitrary: pick(DATA_CATEGORIES), weight: 2 },
    { arbitrary: pick(['mental-health', 'sexual-health', 'safeguarding', 'social-care'] as const), weight: 1 },
  );
  const rule = (depth: number): fc.Arbitrary<ConsentProvision> =>
    fc
      .record({
        type: fc.oneof(
          { arbitrary: pick(['deny', 'permit'] as const), weight: 9 },
          { arbitrary: fc.constant(undefined), weight: 1 },
        ),
        actors: fc.oneof(
          { arbitrary: fc.constant<string[]>([]), weight: 1 },
          { arbitrary: fc.array(actorRef, { minLength: 1, maxLength: 2 }), weight: 2 },
        ),
        codes: fc.oneof(
          { arbitrary: fc.constant<DataCategory[]>([]), weight: 1 },
          { arbitrary: fc.uniqueArray(category, { minLength: 1, maxLength: 3 }), weight: 2 },
        ),
        period: periodArb(options.now),
        nested:
          depth < 2
            ? fc.array(rule(depth + 1), { maxLength: depth === 0 ? 2 : 1 })
            : fc.constant<ConsentProvision[]>([]),
      })
      .map(({ type, actors, codes, period, nested }) => ({
        ...(type ? { type } : {}),
        ...(period ? { period } : {}),
        ...(actors.length
          ? {
              actor: actors.map((named) => {
                const [reference, jobRole] = named.split('|') as [string, string | undefined];
                return {
                  ...(jobRole
                    ? {
                        extension: [
                          { url: RECIPIENT_ROLE_EXTENSION, valueCoding: { system: RBAC_SYSTEM, code: jobRole } },
                        ],
                      }
                    : {}),
                  role: cc('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP'),
                  reference: ref(reference),
                };
              }),
            }
          : {}),
        ...(codes.length ? { code: codes.map((code: DataCategory) => cc(DATA_CATEGORY_SYSTEM, code)) } : {}),
        ...(nested.length ? { provision: nested } : {}),
      }))
      // FHIR has no empty elements: an empty (untyped) provision gets a purpose, which the spec ignores.
      .map((p): ConsentProvision =>
        Object.keys(p).length
          ? p
          : { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
      );
  return fc
    .record({
      status: fc.oneof(
        { arbitrary: fc.constant('active' as const), weight: 6 },
        { arbitrary: pick(['draft', 'proposed', 'rejected', 'inactive', 'entered-in-error'] as const), weight: 2 },
      ),
      scope: fc.oneof(
        { arbitrary: fc.constant('patient-privacy'), weight: 6 },
        { arbitrary: pick(['research', 'treatment', 'adr']), weight: 1 },
      ),
      provision: rule(0),
      // Recorded by staff on the patient's instruction (docs/ACCESS.md): verified with the patient.
      instructed: fc.boolean(),
      // The National Data Opt-out: the national policy, scope research (the server refuses another).
      nationalOptOut: fc.oneof(
        { arbitrary: fc.constant(false), weight: 4 },
        { arbitrary: fc.constant(true), weight: 1 },
      ),
    })
    .map(({ status, scope, provision, instructed, nationalOptOut }) => ({
      resourceType: 'Consent',
      status,
      scope: cc('http://terminology.hl7.org/CodeSystem/consentscope', nationalOptOut ? 'research' : scope),
      ...(nationalOptOut ? { policy: [{ uri: 'https://digital.nhs.uk/services/national-data-opt-out' }] } : {}),
      category: [cc('http://loinc.org', '59284-0', 'Patient Consent')],
      patient: ref(`Patient/${patientId}`),
      policyRule: cc(ACT_CODE, 'OPTIN'),
      ...(instructed
        ? {
            verification: [
              { verified: true, verifiedWith: ref(`Patient/${patientId}`), verificationDate: '2026-01-05' },
            ],
          }
        : {}),
      provision,
    }));
}

// ---------------------------------------------------------------------------------------------
// Agreements and break-glass
// ---------------------------------------------------------------------------------------------

function agreementArb(now: Date, orgIds: readonly string[]): fc.Arbitrary<Agreement> {
  const orgs = fc.uniqueArray(pick(orgIds), { minLength: 1, maxLength: orgIds.length });
  return fc
    .record({
      providers: orgs,
      recipients: orgs,
      roles: fc.oneof(
        { arbitrary: fc.constant<string[]>([]), weight: 3 },
        { arbitrary: fc.uniqueArray(pick(ROLE_CODES), { minLength: 1, maxLength: 4 }), weight: 1 },
      ),
      categories: fc.oneof(
        { arbitrary: fc.subarray([...DATA_CATEGORIES], { minLength: 1 }), weight: 1 },
        { arbitrary: fc.subarray([...DATA_CATEGORIES], { minLength: 11 }), weight: 3 },
      ),
      purposes: fc.oneof(
        { arbitrary: fc.subarray([...PURPOSES], { minLength: 1 }), weight: 1 },
        { arbitrary: fc.constant<Purpose[]>(['direct-care']), weight: 3 },
      ),
      from: fc.oneof({ arbitrary: pick([-365, -30]), weight: 4 }, { arbitrary: pick([-1, 0, 1, 30]), weight: 1 }),
      length: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 4 },
        { arbitrary: pick([0, 1, 28, 29, 30, 31, 364, 365, 366, 1000]), weight: 2 },
      ),
      unsigned: fc.oneof({ arbitrary: fc.constant(-1), weight: 8 }, { arbitrary: fc.nat({ max: 5 }), weight: 1 }),
      withdrawn: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
    })
    .map((a) => {
      const parties = [...new Set([...a.providers, ...a.recipients])];
      return {
        id: '',
        title: '',
        purposes: a.purposes,
        lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
        validFrom: isoDate(now, a.from),
        ...(a.length !== undefined ? { validTo: isoDate(now, a.from + a.length) } : {}),
        providers: a.providers,
        recipients: a.recipients,
        recipientRoles: a.roles,
        categories: a.categories,
        signatures: parties
          .filter((_, i) => i !== a.unsigned)
          .map((organizationId) => ({
            organizationId,
            signedBy: `Caldicott guardian of ${organizationId}`,
            signedAt: isoInstant(now, -DAY),
          })),
        withdrawn: a.withdrawn,
      };
    });
}

/** Declared relationships of staff's practitioners, unexpired or (with 'any') expired too. */
function declaredArb(
  now: Date,
  staff: readonly StaffActor[],
  patientIds: readonly string[],
  activeOnly: boolean,
): fc.Arbitrary<DeclaredRelationship> {
  return fc
    .record({
      practitionerId: pick([...new Set(staff.map((s) => s.practitionerId))]),
      patientId: pick(patientIds),
      minutes: activeOnly ? fc.constant(1440) : pick([-1440, 1440]),
    })
    .map(({ practitionerId, patientId, minutes }) => ({
      practitionerId,
      patientId,
      expiresAt: isoInstant(now, minutes * 60_000),
    }));
}

function breakGlassArb(
  now: Date,
  staff: readonly StaffActor[],
  patientIds: readonly string[],
  activeOnly: boolean,
): fc.Arbitrary<BreakGlassSession> {
  return fc
    .record({
      user: pick(staff.map((s) => s.userId)),
      patientId: pick(patientIds),
      minutes: activeOnly ? fc.constant(240) : pick([-240, -1, 1, 240]),
    })
    .map(({ user, patientId, minutes }) => ({
      userId: user,
      patientId,
      reason: 'Unconscious in the emergency department, no history available',
      expiresAt: isoInstant(now, minutes * 60_000),
    }));
}

// ---------------------------------------------------------------------------------------------
// Clinical data
// ---------------------------------------------------------------------------------------------

type Kind =
  | 'TwoPatientObservation'
  | 'CrossEncounterObservation'
  | 'PortalObservation'
  | 'OwnedLocation'
  | 'OwnedService'
  | 'Cohort'
  | 'PractitionerRole'
  | 'Condition'
  | 'Observation'
  | 'LabObservation'
  | 'DeviceObservation'
  | 'PerformerObservation'
  | 'OrphanObservation'
  | 'MedicationRequest'
  | 'MedicationStatement'
  | 'AllergyIntolerance'
  | 'Immunization'
  | 'Procedure'
  | 'DiagnosticReport'
  | 'Specimen'
  | 'DocumentReference'
  | 'CarePlan'
  | 'Goal'
  | 'Flag'
  | 'Appointment'
  | 'Communication'
  | 'RiskAssessment'
  | 'Location'
  | 'Medication'
  | 'HealthcareService'
  | 'Worklist'
  | 'Draft'
  | 'Slot'
  | 'Schedule'
  | 'Endpoint';

const KINDS: readonly Kind[] = [
  'TwoPatientObservation',
  'CrossEncounterObservation',
  'PortalObservation',
  'OwnedLocation',
  'OwnedService',
  'Cohort',
  'PractitionerRole',
  'Condition',
  'Observation',
  'LabObservation',
  'DeviceObservation',
  'PerformerObservation',
  'OrphanObservation',
  'MedicationRequest',
  'MedicationStatement',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'Specimen',
  'DocumentReference',
  'CarePlan',
  'Goal',
  'Flag',
  'Appointment',
  'Communication',
  'RiskAssessment',
  'Location',
  'Medication',
  'HealthcareService',
  'Worklist',
  'Worklist',
  'Draft',
  'Cohort',
  'Slot',
  'Schedule',
  'Endpoint',
];

/** Kinds with an element named `encounter`. */
const HAS_ENCOUNTER: readonly Kind[] = [
  'CrossEncounterObservation',
  'PortalObservation',
  'Condition',
  'Observation',
  'LabObservation',
  'DeviceObservation',
  'MedicationRequest',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'CarePlan',
  'Flag',
  'Communication',
  'RiskAssessment',
];

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

function clinicalArb(
  options: GenerateOptions,
  patientIds: readonly string[],
  orgIds: readonly string[],
  practitionerIds: readonly string[],
  encounters: readonly (Encounter & { id: string })[],
  careTeams: readonly (CareTeam & { id: string })[],
): fc.Arbitrary<Resource> {
  // Whom owned data is shared with: a person, an organisation's staff, a team's members.
  const sharee = fc.oneof(
    pick(practitionerIds).map((id) => `Practitioner/${id}`),
    pick(orgIds).map((id) => `Organization/${id}`),
    ...(careTeams.length ? [pick(careTeams.map((t) => `CareTeam/${t.id}`))] : []),
  );
  return fc
    .record({
      ownerKind: pick(['none', 'practitioner', 'organisation'] as const),
      shares: fc.array(sharee, { maxLength: 2 }),
      status: fc.nat({ max: 5 }),
      kind: pick(KINDS),
      patient: pick(patientIds),
      meta: metaArb(options, orgIds),
      encounterPick: fc.nat({ max: 4 }),
      author: pick(practitionerIds),
      intent: pick(['order', 'proposal', 'plan'] as const),
      other: pick(patientIds),
      owner: pick(orgIds),
      anyEncounter: fc.nat({ max: 1000 }),
    })
    .map(
      ({
        kind,
        patient,
        meta,
        encounterPick,
        author,
        intent,
        other,
        owner,
        anyEncounter,
        ownerKind,
        shares,
        status,
      }) => {
        const subject = ref(`Patient/${patient}`);
        const own = encounters.filter((e) => e.subject?.reference === `Patient/${patient}`);
        const encounterId =
          kind === 'CrossEncounterObservation' || kind === 'PortalObservation'
            ? encounters[anyEncounter % Math.max(encounters.length, 1)]?.id
            : own.length && encounterPick < own.length
              ? own[encounterPick]!.id
              : undefined;
        const encounter =
          encounterId && HAS_ENCOUNTER.includes(kind) ? { encounter: ref(`Encounter/${encounterId}`) } : {};
        const resource = buildClinical(kind, subject, author, intent, { other, owner, status });
        if (kind === 'Worklist' || kind === 'Draft' || kind === 'Cohort') {
          ownOwnedData(resource, ownerKind, author, owner, shares);
        }
        if (kind === 'DocumentReference' && options.ambiguous && encounterId) {
          (resource as { context?: unknown }).context = { encounter: [ref(`Encounter/${encounterId}`)] };
        }
        return withMeta({ ...resource, ...encounter }, meta);
      },
    );
}

const SHARED_WITH = 'https://careweave.example/fhir/StructureDefinition/shared-with';

/** Names the owner of owned data (or leaves it to the source organisation) and whom it is shared with. */
function ownOwnedData(
  resource: Resource,
  ownerKind: 'none' | 'practitioner' | 'organisation',
  practitioner: string,
  organisation: string,
  shares: readonly string[],
): void {
  const owner =
    ownerKind === 'practitioner'
      ? ref(`Practitioner/${practitioner}`)
      : ownerKind === 'organisation'
        ? ref(`Organization/${organisation}`)
        : undefined;
  const target = resource as {
    managingEntity?: Reference;
    source?: Reference;
    author?: Reference;
    extension?: unknown[];
  };
  if (owner && resource.resourceType === 'Group') {
    target.managingEntity = owner;
  } else if (owner && resource.resourceType === 'List' && ownerKind === 'practitioner') {
    target.source = owner; // List.source is a person (or device), never an organisation
  } else if (owner && resource.resourceType === 'Basic') {
    target.author = owner;
  }
  if (shares.length) {
    target.extension = shares.map((s) => ({ url: SHARED_WITH, valueReference: ref(s) }));
  }
}

function buildClinical(
  kind: Kind,
  subject: Reference<never>,
  author: string,
  intent: 'order' | 'proposal' | 'plan',
  extra: { other: string; owner: string; status: number },
): Resource {
  const code = cc(SNOMED, '38341003', 'Hypertension');
  switch (kind) {
    case 'TwoPatientObservation':
      // About one patient, naming another (possibly the same) as performer: writes need both.
      return {
        resourceType: 'Observation',
        status: 'final',
        code: cc(LOINC, '8867-4', 'Heart rate'),
        subject,
        performer: [ref(`Patient/${extra.other}`)],
      };
    case 'CrossEncounterObservation':
      // Pointing at any patient's encounter: a reference never lends a source or a patient.
      return { resourceType: 'Observation', status: 'final', code: cc(LOINC, '8867-4', 'Heart rate'), subject };
    case 'PortalObservation':
      // A patient's own reading from the portal, pointing at an encounter: its source is not borrowed.
      return {
        resourceType: 'Observation',
        meta: { tag: [{ ...PORTAL_ORIGIN_TAG }] },
        status: 'final',
        code: cc(LOINC, '29463-7', 'Body weight'),
        subject,
        device: ref('Device/scales-1'),
      };
    case 'OwnedLocation':
      return {
        resourceType: 'Location',
        name: 'Clinic room 2',
        managingOrganization: ref(`Organization/${extra.owner}`),
      };
    case 'OwnedService':
      return {
        resourceType: 'HealthcareService',
        name: 'Falls service',
        providedBy: ref(`Organization/${extra.owner}`),
      };
    case 'Cohort':
      // A list of patients about several at once: its owner's, never any one member's record.
      return {
        resourceType: 'Group',
        type: 'person',
        actual: true,
        member: [{ entity: subject }, { entity: ref(`Patient/${extra.other}`) }],
      };
    case 'PractitionerRole':
      return {
        resourceType: 'PractitionerRole',
        practitioner: ref(`Practitioner/${author}`),
        organization: ref(`Organization/${extra.owner}`),
      };
    case 'Condition':
      return { resourceType: 'Condition', subject, code, asserter: ref(`Practitioner/${author}`) };
    case 'Observation':
      return {
        resourceType: 'Observation',
        status: 'final',
        category: [cc(OBS_CATEGORY, 'vital-signs')],
        code: cc(LOINC, '8867-4', 'Heart rate'),
        subject,
        valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
      };
    case 'LabObservation':
      return {
        resourceType: 'Observation',
        status: 'final',
        category: [cc(OBS_CATEGORY, 'laboratory')],
        code: cc(LOINC, '2345-7', 'Glucose'),
        subject,
        valueQuantity: { value: 5.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
      };
    case 'DeviceObservation':
      return {
        resourceType: 'Observation',
        status: 'final',
        code: cc(LOINC, '29463-7', 'Body weight'),
        subject,
        device: ref('Device/scales-1'),
        valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      };
    case 'PerformerObservation':
      // In the patient's compartment through `performer` only.
      return {
        resourceType: 'Observation',
        status: 'final',
        code: cc(LOINC, '72166-2', 'Tobacco smoking status'),
        performer: [subject],
      };
    case 'OrphanObservation':
      // About nobody: in no patient's compartment, so directory data.
      return { resourceType: 'Observation', status: 'final', code: cc(LOINC, '8310-5', 'Body temperature') };
    case 'MedicationRequest':
      return {
        resourceType: 'MedicationRequest',
        status: 'active',
        intent,
        medicationCodeableConcept: cc(SNOMED, '318475005', 'Amlodipine 5mg tablets'),
        subject,
      };
    case 'MedicationStatement':
      return {
        resourceType: 'MedicationStatement',
        status: 'active',
        medicationCodeableConcept: cc(SNOMED, '318475005', 'Amlodipine 5mg tablets'),
        subject,
      };
    case 'AllergyIntolerance':
      return {
        resourceType: 'AllergyIntolerance',
        clinicalStatus: cc('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active'),
        code: cc(SNOMED, '91936005', 'Penicillin allergy'),
        patient: subject,
      };
    case 'Immunization':
      return {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: cc(SNOMED, '39114911000001105', 'COVID-19 vaccine'),
        patient: subject,
        occurrenceDateTime: '2024-10-01',
      };
    case 'Procedure':
      return {
        resourceType: 'Procedure',
        status: 'completed',
        code: cc(SNOMED, '80146002', 'Appendicectomy'),
        subject,
      };
    case 'DiagnosticReport':
      return {
        resourceType: 'DiagnosticReport',
        status: 'final',
        code: cc(LOINC, '58410-2', 'Full blood count'),
        subject,
      };
    case 'Specimen':
      return { resourceType: 'Specimen', type: cc(SNOMED, '119297000', 'Blood specimen'), subject };
    case 'DocumentReference':
      return {
        resourceType: 'DocumentReference',
        status: 'current',
        subject,
        author: [ref(`Practitioner/${author}`)],
        content: [{ attachment: { contentType: 'text/plain', url: 'https://docs.example/letter.txt' } }],
      };
    case 'CarePlan':
      return { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject };
    case 'Goal':
      return { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Walk 5km' }, subject };
    case 'Flag':
      return { resourceType: 'Flag', status: 'active', code: { text: 'Violent behaviour' }, subject };
    case 'Appointment':
      return {
        resourceType: 'Appointment',
        status: 'proposed',
        participant: [{ actor: subject, status: 'needs-action' }],
      };
    case 'Communication':
      return {
        resourceType: 'Communication',
        status: 'completed',
        subject,
        payload: [{ contentString: 'Letter sent' }],
      };
    case 'RiskAssessment':
      return { resourceType: 'RiskAssessment', status: 'final', subject };
    case 'Location':
      return { resourceType: 'Location', name: 'Ward 7' };
    case 'Medication':
      return { resourceType: 'Medication', code: cc(SNOMED, '318475005', 'Amlodipine 5mg tablets') };
    case 'HealthcareService':
      return { resourceType: 'HealthcareService', name: 'Memory clinic' };
    case 'Worklist':
      // A worklist of patients (about several, no one's record): its owner's.
      return {
        resourceType: 'List',
        status: 'current',
        mode: 'working',
        title: 'Patients at risk of falls',
        entry: [{ item: subject }, { item: ref(`Patient/${extra.other}`) }],
      };
    case 'Draft':
      return { resourceType: 'Basic', code: { text: 'Draft referral letter' } };
    case 'Slot':
      return {
        resourceType: 'Slot',
        schedule: ref('Schedule/gp-surgery'),
        status: (['free', 'free', 'busy', 'busy-tentative'] as const)[extra.status % 4]!,
        start: '2026-01-05T09:00:00Z',
        end: '2026-01-05T09:10:00Z',
      };
    case 'Schedule':
      return {
        resourceType: 'Schedule',
        ...(extra.status % 3 === 0 ? {} : { active: extra.status % 3 === 1 }),
        actor: [ref(`Practitioner/${author}`)],
      };
    case 'Endpoint':
      return {
        resourceType: 'Endpoint',
        status: 'active',
        connectionType: {
          system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
          code: 'hl7-fhir-rest',
        },
        payloadType: [{ text: 'FHIR' }],
        address: 'https://gp.example/fhir',
        managingOrganization: ref(`Organization/${extra.owner}`),
      };
  }
}
