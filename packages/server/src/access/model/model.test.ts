import type { Consent, ConsentProvision, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  DATA_CATEGORY_SYSTEM,
  ORGANISATION_TYPE_SYSTEM,
  type Actor,
  type OrganisationType,
  type PatientActor,
  type RelatedPersonActor,
  type StaffActor,
  type SystemActor,
} from '../actor.ts';
import {
  agreementRefusal,
  categoryOf,
  decideRead,
  decideWrite,
  patientOf,
  relationshipWith,
  sourceOrganisationOf,
  type Agreement,
  type World,
  type WriteRequest,
} from './model.ts';

const FHIR_BASE = 'http://careweave.test/fhir/R4';
const NOW = new Date('2026-06-15T12:00:00Z');
const TODAY = '2026-06-15';
const YESTERDAY = '2026-06-14';
const TOMORROW = '2026-06-16';
const LATER = '2026-06-15T16:00:00Z';
const EARLIER = '2026-06-15T08:00:00Z';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

const org = (id: string, type: OrganisationType): World['organisations'][number] => ({
  resourceType: 'Organization',
  id,
  type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: type }] }],
});

/**
 * The base world: patient p1 registered at gp; acute has an open encounter with p1 and its
 * practitioner is on care team ct-acute; the care home `home` is on p1's care team ct-home; agreement `a1` lets gp share (almost) everything with acute, mh and
 * home; p2 has no relationships at all.
 */
function baseWorld(): World {
  return {
    fhirBase: FHIR_BASE,
    organisations: [
      org('gp', 'gp-practice'),
      org('acute', 'acute-trust'),
      org('mh', 'mental-health'),
      org('sc', 'social-care'),
      org('home', 'care-home'),
      org('app', 'non-nhs-app'),
      org('vol', 'voluntary-sector'),
      org('comm', 'commissioner'),
    ],
    practitioners: [
      { resourceType: 'Practitioner', id: 'pr-gp' },
      { resourceType: 'Practitioner', id: 'pr-acute' },
      { resourceType: 'Practitioner', id: 'pr-home' },
    ],
    patients: [
      { resourceType: 'Patient', id: 'p1', generalPractitioner: [{ reference: 'Organization/gp' }] },
      { resourceType: 'Patient', id: 'p2' },
    ],
    relatedPersons: [{ resourceType: 'RelatedPerson', id: 'rp1', patient: { reference: 'Patient/p1' } }],
    encounters: [
      {
        resourceType: 'Encounter',
        id: 'enc-acute',
        status: 'in-progress',
        class: { code: 'IMP' },
        subject: { reference: 'Patient/p1' },
        serviceProvider: { reference: 'Organization/acute' },
      },
    ],
    episodes: [],
    careTeams: [
      {
        resourceType: 'CareTeam',
        id: 'ct-home',
        status: 'active',
        subject: { reference: 'Patient/p1' },
        participant: [{ member: { reference: 'Organization/home' } }],
      },
      {
        resourceType: 'CareTeam',
        id: 'ct-acute',
        status: 'active',
        subject: { reference: 'Patient/p1' },
        participant: [{ member: { reference: 'Practitioner/pr-acute' } }],
      },
    ],
    serviceRequests: [],
    consents: [],
    clinical: [],
    agreements: [
      {
        id: 'a1',
        title: 'GP shares with acute, mental health and the care home',
        purposes: ['direct-care'],
        lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
        validFrom: YESTERDAY,
        validTo: TOMORROW,
        providers: ['gp'],
        recipients: ['acute', 'mh', 'home'],
        recipientRoles: [],
        categories: [
          'demographics',
          'problems',
          'medications',
          'results',
          'observations',
          'mental-health',
          'sexual-health',
        ],
        signatures: ['gp', 'acute', 'mh', 'home'].map((o) => ({
          organizationId: o,
          signedBy: `${o} lead`,
          signedAt: YESTERDAY,
        })),
        withdrawn: false,
      },
    ],
    breakGlass: [],
  };
}

const staff = (
  organizationId: string,
  organizationType: OrganisationType,
  practitionerId: string,
  roleCode = 'R8000',
): StaffActor => ({
  kind: 'staff',
  userId: `user-${practitionerId}`,
  practitionerId,
  organizationId,
  organizationType,
  roleCode,
  scopes: ['user/*.cruds'],
});

const GP: StaffActor = staff('gp', 'gp-practice', 'pr-gp');
const ACUTE: StaffActor = staff('acute', 'acute-trust', 'pr-acute');
const HOME: StaffActor = staff('home', 'care-home', 'pr-home', 'R8003');
const MH: StaffActor = staff('mh', 'mental-health', 'pr-mh');
const MH_ADMIN: StaffActor = staff('mh', 'mental-health', 'pr-mh-admin', 'R8013');
const PATIENT1: PatientActor = { kind: 'patient', userId: 'u-p1', patientId: 'p1', scopes: ['patient/*.rs'] };
const CARER: RelatedPersonActor = {
  kind: 'related-person',
  userId: 'u-rp1',
  relatedPersonId: 'rp1',
  patientId: 'p1',
  scopes: ['patient/*.rs'],
};
const SYSTEM: SystemActor = { kind: 'system', clientId: 'lab-feed', scopes: ['system/*.cruds'] };

/** A Condition about p1 from the GP practice. */
const CONDITION: Resource = {
  resourceType: 'Condition',
  id: 'c1',
  meta: { source: 'Organization/gp' },
  subject: { reference: 'Patient/p1' },
};
const condition = (extra: Partial<Resource> & Record<string, unknown>): Resource =>
  ({ ...CONDITION, ...extra }) as Resource;
const labelled = (code: string, system = ACT_CODE): Resource =>
  condition({ meta: { source: 'Organization/gp', security: [{ system, code }] } });

const consent = (provision: ConsentProvision, extra: Partial<Consent> = {}): Consent => ({
  resourceType: 'Consent',
  id: `consent-${Math.random().toString(36).slice(2, 8)}`,
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
  provision,
  ...extra,
});
const codes = (...categories: string[]): ConsentProvision['code'] =>
  categories.map((code) => ({ coding: [{ system: DATA_CATEGORY_SYSTEM, code }] }));
const actors = (...refs: string[]): ConsentProvision['actor'] =>
  refs.map((reference) => ({
    role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
    reference: { reference },
  }));

interface Case {
  name: string;
  actor: Actor;
  resource: Resource;
  change?: (world: World) => void;
  allow: boolean;
  /** The start of the rule the model should report. */
  rule?: string;
}

function check(cases: Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const world = baseWorld();
    c.change?.(world);
    const decision = decideRead(world, c.actor, c.resource, NOW);
    expect(decision.allow, `${decision.rule} (${decision.detail ?? ''})`).toBe(c.allow);
    if (c.rule) {
      expect(decision.rule.startsWith(c.rule), decision.rule).toBe(true);
    }
  });
}

describe('what each resource is', () => {
  const world = baseWorld();
  it.each<[string, Resource, string | null]>([
    ['a Patient is its own patient', { resourceType: 'Patient', id: 'p2' }, 'p2'],
    ['Condition.subject', CONDITION, 'p1'],
    ['absolute reference under the FHIR base', condition({ subject: { reference: `${FHIR_BASE}/Patient/p2` } }), 'p2'],
    [
      'Observation.performer',
      { resourceType: 'Observation', status: 'final', code: {}, performer: [{ reference: 'Patient/p2' }] },
      'p2',
    ],
    [
      'Appointment participant actor',
      {
        resourceType: 'Appointment',
        status: 'booked',
        participant: [{ status: 'accepted', actor: { reference: 'Patient/p1' } }],
      },
      'p1',
    ],
    ['RelatedPerson.patient', { resourceType: 'RelatedPerson', patient: { reference: 'Patient/p1' } }, 'p1'],
    ['Organization is directory data', { resourceType: 'Organization', id: 'x' }, null],
    ['Medication is directory data', { resourceType: 'Medication', id: 'x' }, null],
    ['Observation about nobody is directory data', { resourceType: 'Observation', status: 'final', code: {} }, null],
    [
      'Observation about a Location is directory data',
      { resourceType: 'Observation', status: 'final', code: {}, subject: { reference: 'Location/l1' } },
      null,
    ],
    [
      'reference to another server is not a patient here',
      condition({ subject: { reference: 'https://other.example/fhir/Patient/p1' } }),
      null,
    ],
  ])('patient: %s', (_name, resource, expected) => {
    expect(patientOf(world, resource)).toBe(expected);
  });

  it.each<[string, Resource, string | null]>([
    ['meta.source Organization/{id}', CONDITION, 'gp'],
    ['meta.source under the FHIR base', condition({ meta: { source: `${FHIR_BASE}/Organization/acute` } }), 'acute'],
    [
      'meta.source …/Organization/{id} elsewhere',
      condition({ meta: { source: 'https://x.example/fhir/Organization/mh' } }),
      'mh',
    ],
    [
      'meta.source not an organisation: falls through to the registered practice',
      condition({ meta: { source: 'urn:uuid:1234' } }),
      'gp',
    ],
    [
      'Encounter.serviceProvider',
      {
        resourceType: 'Encounter',
        status: 'finished',
        class: {},
        subject: { reference: 'Patient/p1' },
        serviceProvider: { reference: 'Organization/sc' },
      },
      'sc',
    ],
    [
      'meta.source beats serviceProvider',
      {
        resourceType: 'Encounter',
        meta: { source: 'Organization/mh' },
        status: 'finished',
        class: {},
        subject: { reference: 'Patient/p1' },
        serviceProvider: { reference: 'Organization/sc' },
      },
      'mh',
    ],
    [
      "the resource's encounter",
      condition({ meta: undefined, encounter: { reference: 'Encounter/enc-acute' } }),
      'acute',
    ],
    [
      'an unknown encounter falls through',
      condition({ meta: undefined, encounter: { reference: 'Encounter/nope' } }),
      'gp',
    ],
    [
      "a Patient's managingOrganization",
      {
        resourceType: 'Patient',
        id: 'p9',
        managingOrganization: { reference: 'Organization/comm' },
        generalPractitioner: [{ reference: 'Organization/gp' }],
      },
      'comm',
    ],
    [
      "a Patient's own registered practice",
      { resourceType: 'Patient', id: 'p1', generalPractitioner: [{ reference: 'Organization/gp' }] },
      'gp',
    ],
    ["the patient's registered practice", condition({ meta: undefined }), 'gp'],
    [
      'only an Organization among generalPractitioner is the practice',
      {
        resourceType: 'Patient',
        id: 'p9',
        generalPractitioner: [{ reference: 'Practitioner/pr-gp' }, { reference: 'Organization/acute' }],
      },
      'acute',
    ],
    ['none', condition({ meta: undefined, subject: { reference: 'Patient/p2' } }), null],
  ])('source organisation: %s', (_name, resource, expected) => {
    expect(sourceOrganisationOf(world, resource)).toBe(expected);
  });

  const obs = (extra: Record<string, unknown> = {}): Resource => ({
    resourceType: 'Observation',
    status: 'final',
    code: {},
    subject: { reference: 'Patient/p1' },
    ...extra,
  });
  const lab = {
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
    ],
  };
  it.each<[string, Resource, string | null]>([
    ['Patient', { resourceType: 'Patient', id: 'p1' }, 'demographics'],
    ['RelatedPerson', { resourceType: 'RelatedPerson', patient: { reference: 'Patient/p1' } }, 'demographics'],
    ['Condition', CONDITION, 'problems'],
    [
      'MedicationRequest',
      { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } },
      'medications',
    ],
    ['AllergyIntolerance', { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/p1' } }, 'allergies'],
    [
      'Encounter',
      { resourceType: 'Encounter', status: 'finished', class: {}, subject: { reference: 'Patient/p1' } },
      'encounters',
    ],
    ['Observation', obs(), 'observations'],
    ['laboratory Observation', obs(lab), 'results'],
    [
      'Immunization',
      {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: {},
        patient: { reference: 'Patient/p1' },
        occurrenceDateTime: '2020',
      },
      'observations',
    ],
    [
      'DiagnosticReport',
      { resourceType: 'DiagnosticReport', status: 'final', code: {}, subject: { reference: 'Patient/p1' } },
      'results',
    ],
    [
      'DocumentReference',
      { resourceType: 'DocumentReference', status: 'current', content: [], subject: { reference: 'Patient/p1' } },
      'documents',
    ],
    [
      'CarePlan',
      { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' } },
      'care-plans',
    ],
    ['Consent is other', consent({ type: 'permit' }), 'other'],
    ['Claim is other', { resourceType: 'Claim', patient: { reference: 'Patient/p1' } } as Resource, 'other'],
    ['the public directory', { resourceType: 'Organization', id: 'gp' }, 'public-directory'],
    ['other directory data has none', { resourceType: 'Endpoint', id: 'ep' } as Resource, null],
    ['a busy slot is not public', { resourceType: 'Slot', id: 's', status: 'busy' } as Resource, null],
    ['a free slot is public', { resourceType: 'Slot', id: 's', status: 'free' } as Resource, 'public-directory'],
    ['a worklist about no one patient is owned', { resourceType: 'List', id: 'l' } as Resource, 'owned'],
    [
      'a list about one patient is theirs',
      { resourceType: 'List', id: 'l', subject: { reference: 'Patient/p1' } } as Resource,
      'other',
    ],
    ['PSY label', labelled('PSY'), 'mental-health'],
    ['PSYTHPN label', labelled('PSYTHPN'), 'mental-health'],
    ['MH label', labelled('MH'), 'mental-health'],
    ['SEX label', labelled('SEX'), 'sexual-health'],
    ['STD label', labelled('STD'), 'sexual-health'],
    ['HIV label', labelled('HIV'), 'sexual-health'],
    ['SDV label', labelled('SDV'), 'safeguarding'],
    ['SOC label', labelled('SOC'), 'safeguarding'],
    [
      'safeguarding sensitivity label',
      labelled('safeguarding', 'https://careweave.example/fhir/CodeSystem/sensitivity'),
      'safeguarding',
    ],
    ['a label code under another system is no label', labelled('HIV', 'http://example.org/other'), 'problems'],
    [
      'a non-sensitive label changes nothing',
      labelled('R', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality'),
      'problems',
    ],
    ['from a mental-health trust', condition({ meta: { source: 'Organization/mh' } }), 'mental-health'],
    ['from social care', condition({ meta: { source: 'Organization/sc' } }), 'social-care'],
    ['a lab result from social care', obs({ ...lab, meta: { source: 'Organization/sc' } }), 'social-care'],
    [
      'a label beats the source type',
      condition({ meta: { source: 'Organization/mh', security: [{ system: ACT_CODE, code: 'HIV' }] } }),
      'sexual-health',
    ],
    [
      'several sensitive labels: spec order',
      condition({
        meta: {
          security: [
            { system: ACT_CODE, code: 'SDV' },
            { system: ACT_CODE, code: 'PSY' },
          ],
        },
      }),
      'mental-health',
    ],
  ])('category: %s', (_name, resource, expected) => {
    expect(categoryOf(world, resource)).toBe(expected);
  });
});

describe('legitimate relationships', () => {
  const careTeam = (status: string | undefined, member: string, period?: { start?: string; end?: string }) => ({
    resourceType: 'CareTeam' as const,
    id: 'ct-x',
    ...(status ? { status: status as 'active' } : {}),
    subject: { reference: 'Patient/p2' },
    participant: [{ member: { reference: member }, ...(period ? { period } : {}) }],
  });
  it.each<[string, (w: World) => void, StaffActor, string | undefined]>([
    ['generalPractitioner', () => undefined, { ...GP }, 'registered-practice'],
    [
      'managingOrganization',
      (w) =>
        w.patients.push({
          resourceType: 'Patient',
          id: 'p3',
          managingOrganization: { reference: 'Organization/acute' },
        }),
      ACUTE,
      'registered-practice',
    ],
    [
      'care team with the organisation',
      (w) => w.careTeams.push(careTeam('active', 'Organization/acute')),
      ACUTE,
      'care-team',
    ],
    [
      'care team with the practitioner',
      (w) => w.careTeams.push(careTeam('active', 'Practitioner/pr-acute')),
      ACUTE,
      'care-team',
    ],
    [
      'care team without status',
      (w) => w.careTeams.push(careTeam(undefined, 'Organization/acute')),
      ACUTE,
      'care-team',
    ],
    ['inactive care team', (w) => w.careTeams.push(careTeam('inactive', 'Organization/acute')), ACUTE, undefined],
    ['proposed care team', (w) => w.careTeams.push(careTeam('proposed', 'Organization/acute')), ACUTE, undefined],
    [
      'participation ended yesterday',
      (w) => w.careTeams.push(careTeam('active', 'Organization/acute', { end: YESTERDAY })),
      ACUTE,
      undefined,
    ],
    [
      'participation ends today (inclusive)',
      (w) => w.careTeams.push(careTeam('active', 'Organization/acute', { end: TODAY })),
      ACUTE,
      'care-team',
    ],
    [
      'participation starts tomorrow',
      (w) => w.careTeams.push(careTeam('active', 'Organization/acute', { start: TOMORROW })),
      ACUTE,
      undefined,
    ],
    [
      'participation started today',
      (w) => w.careTeams.push(careTeam('active', 'Organization/acute', { start: TODAY })),
      ACUTE,
      'care-team',
    ],
    [
      'participation ended an hour ago',
      (w) => w.careTeams.push(careTeam('active', 'Organization/acute', { end: '2026-06-15T11:00:00Z' })),
      ACUTE,
      undefined,
    ],
    ['someone else on the care team', (w) => w.careTeams.push(careTeam('active', 'Organization/gp')), ACUTE, undefined],
    ...(['active', 'draft', 'completed', 'revoked'] as const).map(
      (status): [string, (w: World) => void, StaffActor, string | undefined] => [
        `referral ${status}`,
        (w) =>
          w.serviceRequests.push({
            resourceType: 'ServiceRequest',
            id: 'sr',
            status,
            intent: 'order',
            subject: { reference: 'Patient/p2' },
            performer: [{ reference: 'Practitioner/pr-acute' }],
          }),
        ACUTE,
        status === 'active' ? 'referral' : undefined,
      ],
    ),
    ...(['in-progress', 'arrived', 'triaged', 'onleave', 'planned', 'finished', 'cancelled'] as const).map(
      (status): [string, (w: World) => void, StaffActor, string | undefined] => [
        `encounter ${status}`,
        (w) =>
          w.encounters.push({
            resourceType: 'Encounter',
            id: 'e',
            status,
            class: {},
            subject: { reference: 'Patient/p2' },
            serviceProvider: { reference: 'Organization/acute' },
          }),
        ACUTE,
        ['in-progress', 'arrived', 'triaged', 'onleave'].includes(status) ? 'open-encounter' : undefined,
      ],
    ),
    ...(['active', 'finished', 'planned'] as const).map(
      (status): [string, (w: World) => void, StaffActor, string | undefined] => [
        `episode ${status}`,
        (w) =>
          w.episodes.push({
            resourceType: 'EpisodeOfCare',
            id: 'ep',
            status,
            patient: { reference: 'Patient/p2' },
            managingOrganization: { reference: 'Organization/acute' },
          }),
        ACUTE,
        status === 'active' ? 'open-episode' : undefined,
      ],
    ),
  ])('%s', (_name, change, actor, expected) => {
    const world = baseWorld();
    change(world);
    const patient = _name === 'generalPractitioner' ? 'p1' : _name === 'managingOrganization' ? 'p3' : 'p2';
    expect(relationshipWith(world, actor, patient, NOW)).toBe(expected);
  });
});

describe('agreements', () => {
  const q = {
    provider: 'gp',
    recipient: 'acute',
    category: 'problems' as const,
    role: 'R8000',
    purpose: 'direct-care' as const,
  };
  it.each<[string, Partial<Agreement>, Partial<typeof q>, string | undefined]>([
    ['grants', {}, {}, undefined],
    ['withdrawn', { withdrawn: true }, {}, 'withdrawn'],
    ['valid from today (inclusive)', { validFrom: TODAY }, {}, undefined],
    ['valid to today (inclusive)', { validTo: TODAY }, {}, undefined],
    ['open-ended', { validTo: undefined }, {}, undefined],
    ['expired yesterday', { validFrom: '2026-01-01', validTo: YESTERDAY }, {}, 'not valid today'],
    ['starts tomorrow', { validFrom: TOMORROW, validTo: undefined }, {}, 'not valid today'],
    [
      'a party has not signed',
      { signatures: [{ organizationId: 'gp', signedBy: 'x', signedAt: YESTERDAY }] },
      {},
      'not signed by every party',
    ],
    [
      'both provider and recipient signs once',
      {
        providers: ['gp', 'acute'],
        recipients: ['gp', 'acute'],
        signatures: ['gp', 'acute'].map((o) => ({ organizationId: o, signedBy: 'x', signedAt: YESTERDAY })),
      },
      {},
      undefined,
    ],
    ['source is not a provider', {}, { provider: 'mh' }, 'source is not a provider'],
    ['unknown source', {}, { provider: null as unknown as string }, 'source is not a provider'],
    ['not a recipient', {}, { recipient: 'comm' }, 'not a recipient'],
    [
      'recipient is the source',
      {
        providers: ['gp'],
        recipients: ['gp'],
        signatures: [{ organizationId: 'gp', signedBy: 'x', signedAt: YESTERDAY }],
      },
      { recipient: 'gp' },
      'recipient is the provider',
    ],
    ['category not covered', {}, { category: 'allergies' as never }, 'category not covered'],
    ['sensitive category covered', {}, { category: 'mental-health' as never }, undefined],
    ['role restricted to others', { recipientRoles: ['R8001'] }, {}, 'role not covered'],
    ['role listed', { recipientRoles: ['R8001', 'R8000'] }, {}, undefined],
    ['purpose other than direct care', { purposes: ['commissioning'] }, {}, 'purpose not covered'],
  ])('%s', (_name, change, question, expected) => {
    const agreement = { ...baseWorld().agreements[0]!, ...change };
    expect(agreementRefusal(agreement, { ...q, ...question }, NOW)).toBe(expected);
  });
});

const ACUTE_SEES = (
  name: string,
  allow: boolean,
  change: (w: World) => void,
  resource: Resource = CONDITION,
  rule?: string,
): Case => ({
  name,
  actor: ACUTE,
  resource,
  change,
  allow,
  rule,
});
const addConsent =
  (...consents: Consent[]) =>
  (w: World) => {
    w.consents.push(...consents);
  };

describe('staff decisions', () => {
  check([
    {
      name: 'directory data',
      actor: ACUTE,
      resource: { resourceType: 'Organization', id: 'mh' },
      allow: true,
      rule: 'staff 1',
    },
    {
      name: 'directory data, no relationship',
      actor: HOME,
      resource: { resourceType: 'Practitioner', id: 'pr-gp' },
      allow: true,
      rule: 'staff 1',
    },
    {
      name: 'own organisation without a relationship: need to know holds inside it too',
      actor: MH,
      resource: condition({ meta: { source: 'Organization/mh' }, subject: { reference: 'Patient/p2' } }),
      allow: false,
      rule: 'staff 4',
    },
    {
      name: 'own organisation with a declared relationship, no agreement',
      actor: MH,
      resource: condition({ meta: { source: 'Organization/mh' }, subject: { reference: 'Patient/p2' } }),
      change: (w) => {
        w.declared = [{ practitionerId: 'pr-mh', patientId: 'p2', expiresAt: LATER }];
      },
      allow: true,
      rule: 'staff 2',
    },
    {
      name: 'an expired declared relationship is none',
      actor: MH,
      resource: condition({ meta: { source: 'Organization/mh' }, subject: { reference: 'Patient/p2' } }),
      change: (w) => {
        w.declared = [{ practitionerId: 'pr-mh', patientId: 'p2', expiresAt: EARLIER }];
      },
      allow: false,
      rule: 'staff 4',
    },
    {
      name: "a colleague's declared relationship is not theirs",
      actor: MH_ADMIN,
      resource: condition({ meta: { source: 'Organization/mh' }, subject: { reference: 'Patient/p2' } }),
      change: (w) => {
        w.declared = [{ practitionerId: 'pr-mh', patientId: 'p2', expiresAt: LATER }];
      },
      allow: false,
      rule: 'staff 4',
    },
    {
      name: 'a declared relationship opens only what agreements and consent allow from others',
      actor: staff('acute', 'acute-trust', 'pr-acute-2'),
      resource: condition({ subject: { reference: 'Patient/p1' }, meta: { source: 'Organization/gp' } }),
      change: (w) => {
        w.encounters = [];
        w.declared = [{ practitionerId: 'pr-acute-2', patientId: 'p1', expiresAt: LATER }];
        w.consents.push(consent({ type: 'deny', actor: actors('Organization/acute'), code: codes('problems') }));
      },
      allow: false,
      rule: 'staff 7',
    },
    {
      name: 'clerical staff of the registered practice see demographics',
      actor: staff('gp', 'gp-practice', 'pr-gp-clerk', 'R8010'),
      resource: { resourceType: 'Patient', id: 'p1', generalPractitioner: [{ reference: 'Organization/gp' }] },
      allow: true,
      rule: 'staff 2',
    },
    {
      name: 'clerical staff of the registered practice see appointments',
      actor: staff('gp', 'gp-practice', 'pr-gp-clerk', 'R8010'),
      resource: {
        resourceType: 'Appointment',
        id: 'ap1',
        status: 'booked',
        meta: { source: 'Organization/gp' },
        participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
      },
      allow: true,
      rule: 'staff 2',
    },
    {
      name: "clerical staff never see clinical detail, even their own organisation's",
      actor: staff('gp', 'gp-practice', 'pr-gp-clerk', 'R8010'),
      resource: CONDITION,
      allow: false,
      rule: 'staff 1a',
    },
    {
      name: 'clerical staff under break-glass still see no clinical detail',
      actor: staff('gp', 'gp-practice', 'pr-gp-clerk', 'R8010'),
      resource: CONDITION,
      change: (w) => {
        w.breakGlass.push({
          userId: 'user-pr-gp-clerk',
          patientId: 'p1',
          reason: 'Collapsed in reception',
          expiresAt: LATER,
        });
      },
      allow: false,
      rule: 'staff 1a',
    },
    {
      name: 'own organisation despite opt-out',
      actor: GP,
      resource: CONDITION,
      change: addConsent(consent({ type: 'deny' })),
      allow: true,
      rule: 'staff 2',
    },
    { name: 'relationship + agreement', actor: ACUTE, resource: CONDITION, allow: true, rule: 'staff 8' },
    { name: 'no relationship', actor: MH, resource: CONDITION, allow: false, rule: 'staff 4' },
    {
      name: 'relationship through a referral',
      actor: MH,
      resource: CONDITION,
      change: (w) =>
        w.serviceRequests.push({
          resourceType: 'ServiceRequest',
          id: 'sr',
          status: 'active',
          intent: 'order',
          subject: { reference: 'Patient/p1' },
          performer: [{ reference: 'Organization/mh' }],
        }),
      allow: true,
      rule: 'staff 8',
    },
    {
      name: 'another patient: no relationship',
      actor: ACUTE,
      resource: condition({ subject: { reference: 'Patient/p2' } }),
      allow: false,
      rule: 'staff 4',
    },
    ACUTE_SEES('agreement withdrawn', false, (w) => (w.agreements[0]!.withdrawn = true), CONDITION, 'staff 6'),
    ACUTE_SEES('agreement expired', false, (w) => (w.agreements[0]!.validTo = YESTERDAY), CONDITION, 'staff 6'),
    ACUTE_SEES('agreement ends today', true, (w) => (w.agreements[0]!.validTo = TODAY)),
    ACUTE_SEES('agreement starts today', true, (w) => (w.agreements[0]!.validFrom = TODAY)),
    ACUTE_SEES(
      'agreement starts tomorrow',
      false,
      (w) => (w.agreements[0]!.validFrom = TOMORROW),
      CONDITION,
      'staff 6',
    ),
    ACUTE_SEES(
      'agreement unsigned by a recipient',
      false,
      (w) => w.agreements[0]!.signatures.pop(),
      CONDITION,
      'staff 6',
    ),
    ACUTE_SEES(
      'agreement for other roles',
      false,
      (w) => (w.agreements[0]!.recipientRoles = ['R8010']),
      CONDITION,
      'staff 6',
    ),
    ACUTE_SEES('agreement for this role', true, (w) => (w.agreements[0]!.recipientRoles = ['R8000'])),
    ACUTE_SEES(
      'agreement only for commissioning',
      false,
      (w) => (w.agreements[0]!.purposes = ['commissioning']),
      CONDITION,
      'staff 6',
    ),
    ACUTE_SEES(
      'category not in agreement',
      false,
      () => undefined,
      { ...CONDITION, resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/p1' } } as Resource,
      'staff 6',
    ),
    ACUTE_SEES(
      'source unknown (no practice)',
      false,
      (w) => (w.patients[0]!.generalPractitioner = undefined),
      condition({ meta: undefined }),
      'staff 6',
    ),
    ACUTE_SEES('opt-out', false, addConsent(consent({ type: 'deny' })), CONDITION, 'staff 7: consent opt-out'),
    ACUTE_SEES(
      'deny covering the category',
      false,
      addConsent(consent({ type: 'deny', code: codes('problems') })),
      CONDITION,
      'staff 7: consent deny',
    ),
    ACUTE_SEES('deny of another category', true, addConsent(consent({ type: 'deny', code: codes('medications') }))),
    ACUTE_SEES(
      'deny naming this organisation',
      false,
      addConsent(consent({ type: 'deny', actor: actors('Organization/acute') })),
    ),
    ACUTE_SEES(
      'deny naming this practitioner',
      false,
      addConsent(consent({ type: 'deny', actor: actors('Practitioner/pr-acute') })),
    ),
    ACUTE_SEES(
      'deny naming another organisation',
      true,
      addConsent(consent({ type: 'deny', actor: actors('Organization/mh') })),
    ),
    ACUTE_SEES(
      'deny beats permit',
      false,
      addConsent(
        consent({ type: 'deny', code: codes('problems') }),
        consent({ type: 'permit', actor: actors('Organization/acute') }),
      ),
    ),
    ACUTE_SEES('inactive consent has no effect', true, addConsent(consent({ type: 'deny' }, { status: 'inactive' }))),
    ACUTE_SEES('draft consent has no effect', true, addConsent(consent({ type: 'deny' }, { status: 'draft' }))),
    ACUTE_SEES(
      'consent of another scope has no effect',
      true,
      addConsent(
        consent(
          { type: 'deny' },
          { scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] } },
        ),
      ),
    ),
    ACUTE_SEES(
      'consent about another patient has no effect',
      true,
      addConsent(consent({ type: 'deny' }, { patient: { reference: 'Patient/p2' } })),
    ),
    ACUTE_SEES(
      'deny whose period ended yesterday',
      true,
      addConsent(consent({ type: 'deny', period: { end: YESTERDAY } })),
    ),
    ACUTE_SEES('deny whose period ends today', false, addConsent(consent({ type: 'deny', period: { end: TODAY } }))),
    ACUTE_SEES('deny from tomorrow', true, addConsent(consent({ type: 'deny', period: { start: TOMORROW } }))),
    ACUTE_SEES('deny from today, open end', false, addConsent(consent({ type: 'deny', period: { start: TODAY } }))),
    ACUTE_SEES(
      'deny that ended an hour ago',
      true,
      addConsent(consent({ type: 'deny', period: { start: '2026-01-01', end: '2026-06-15T11:00:00Z' } })),
    ),
    ACUTE_SEES(
      'nested deny inside a permit applies on its own',
      false,
      addConsent(
        consent({
          type: 'permit',
          actor: actors('Organization/mh'),
          provision: [{ type: 'deny', code: codes('problems') }],
        }),
      ),
    ),
    ACUTE_SEES(
      'nested deny does not inherit the parent actor (everyone)',
      false,
      addConsent(
        consent({
          type: 'deny',
          actor: actors('Organization/mh'),
          provision: [{ type: 'deny', code: codes('problems') }],
        }),
      ),
    ),
    ACUTE_SEES(
      'nested deny does not inherit the parent codes',
      false,
      addConsent(
        consent({
          type: 'deny',
          code: codes('medications'),
          provision: [{ type: 'deny', actor: actors('Organization/acute') }],
        }),
      ),
    ),
    ACUTE_SEES(
      'nested deny does not inherit the parent period',
      false,
      addConsent(consent({ type: 'permit', period: { end: YESTERDAY }, provision: [{ type: 'deny' }] })),
    ),
    ACUTE_SEES(
      'doubly nested deny',
      false,
      addConsent(consent({ provision: [{ type: 'permit', provision: [{ type: 'deny', code: codes('problems') }] }] })),
    ),
    ACUTE_SEES('a provision without type is no rule', true, addConsent(consent({ code: codes('problems') }))),
    ACUTE_SEES(
      'deny naming a care team with this organisation',
      false,
      addConsent(consent({ type: 'deny', actor: actors('CareTeam/ct-acute') })),
    ),
    // Sensitive data: sexual health needs the patient's explicit permit
    ACUTE_SEES('sensitive category not in the agreement', false, () => undefined, labelled('SDV'), 'staff 6'),
    ACUTE_SEES(
      'sensitive in the agreement, no permit',
      false,
      () => undefined,
      labelled('SEX'),
      'staff 7: consent explicit-permit-missing',
    ),
    ACUTE_SEES(
      'sensitive with a permit for everyone',
      true,
      addConsent(consent({ type: 'permit', code: codes('sexual-health') })),
      labelled('SEX'),
    ),
    ACUTE_SEES(
      'sensitive with a permit naming them',
      true,
      addConsent(consent({ type: 'permit', actor: actors('Organization/acute') })),
      labelled('SEX'),
    ),
    ACUTE_SEES(
      'sensitive with a permit for another category',
      false,
      addConsent(consent({ type: 'permit', code: codes('mental-health') })),
      labelled('SEX'),
    ),
    ACUTE_SEES(
      'sensitive with a permit naming someone else',
      false,
      addConsent(consent({ type: 'permit', actor: actors('Organization/mh') })),
      labelled('SEX'),
    ),
    ACUTE_SEES(
      'sensitive permit beaten by a deny',
      false,
      addConsent(
        consent({
          type: 'permit',
          code: codes('sexual-health'),
          provision: [{ type: 'deny', code: codes('sexual-health') }],
        }),
      ),
      labelled('SEX'),
    ),
    ACUTE_SEES(
      "the patient's permit naming them opens a category no agreement covers",
      true,
      addConsent(consent({ type: 'permit', actor: actors('Organization/acute'), code: codes('safeguarding') })),
      labelled('SDV'),
      'staff 3b',
    ),
    ACUTE_SEES(
      'a permit for everyone does not open data without an agreement',
      false,
      addConsent(consent({ type: 'permit', code: codes('safeguarding') })),
      labelled('SDV'),
      'staff 6',
    ),
    ACUTE_SEES(
      'a permit naming them covers only its categories',
      false,
      addConsent(consent({ type: 'permit', actor: actors('Organization/acute'), code: codes('medications') })),
      labelled('SDV'),
      'staff 6',
    ),
    ACUTE_SEES(
      'a deny beats a permit naming them',
      false,
      addConsent(
        consent({
          type: 'permit',
          actor: actors('Organization/acute'),
          code: codes('safeguarding'),
          provision: [{ type: 'deny', code: codes('safeguarding') }],
        }),
      ),
      labelled('SDV'),
    ),
    ACUTE_SEES(
      'sensitive permit through a care team',
      true,
      addConsent(consent({ type: 'permit', actor: actors('CareTeam/ct-acute'), code: codes('sexual-health') })),
      labelled('SEX'),
    ),
    ACUTE_SEES(
      'sensitive permit through an inactive care team',
      false,
      (w) => {
        addConsent(consent({ type: 'permit', actor: actors('CareTeam/ct-acute'), code: codes('sexual-health') }))(w);
        w.careTeams.find((t) => t.id === 'ct-acute')!.status = 'inactive';
      },
      labelled('SEX'),
    ),
    ACUTE_SEES(
      "sensitive permit through another patient's care team",
      false,
      (w) => {
        addConsent(consent({ type: 'permit', actor: actors('CareTeam/ct-acute'), code: codes('sexual-health') }))(w);
        w.careTeams.find((t) => t.id === 'ct-acute')!.subject = { reference: 'Patient/p2' };
      },
      labelled('SEX'),
    ),
    // Other sensitive categories: implied consent for direct care under an agreement naming them
    ACUTE_SEES(
      'mental health for the treating team under an agreement naming it',
      true,
      () => undefined,
      labelled('MH'),
    ),
    ACUTE_SEES(
      'mental health withheld when the patient objects',
      false,
      addConsent(consent({ type: 'deny', code: codes('mental-health') })),
      labelled('MH'),
      'staff 7: consent deny',
    ),
    // Break-glass
    ACUTE_SEES(
      'break-glass overrides consent and agreements',
      true,
      (w) => {
        w.agreements = [];
        w.consents.push(consent({ type: 'deny' }));
        w.breakGlass.push({
          userId: 'user-pr-acute',
          patientId: 'p1',
          reason: 'unconscious in ED',
          expiresAt: '2026-06-15T15:00:00Z',
        });
      },
      CONDITION,
      'staff 3',
    ),
    {
      name: 'break-glass without relationship',
      actor: MH,
      resource: labelled('SEX'),
      change: (w) =>
        w.breakGlass.push({
          userId: 'user-pr-mh',
          patientId: 'p1',
          reason: 'unconscious in ED',
          expiresAt: '2026-06-15T12:00:01Z',
        }),
      allow: true,
      rule: 'staff 3',
    },
    {
      name: 'expired break-glass',
      actor: MH,
      resource: CONDITION,
      change: (w) =>
        w.breakGlass.push({
          userId: 'user-pr-mh',
          patientId: 'p1',
          reason: 'unconscious in ED',
          expiresAt: '2026-06-15T11:59:59Z',
        }),
      allow: false,
      rule: 'staff 4',
    },
    {
      name: 'break-glass expiring now has expired',
      actor: MH,
      resource: CONDITION,
      change: (w) =>
        w.breakGlass.push({
          userId: 'user-pr-mh',
          patientId: 'p1',
          reason: 'unconscious in ED',
          expiresAt: NOW.toISOString(),
        }),
      allow: false,
    },
    {
      name: "another user's break-glass",
      actor: MH,
      resource: CONDITION,
      change: (w) =>
        w.breakGlass.push({
          userId: 'user-pr-acute',
          patientId: 'p1',
          reason: 'unconscious in ED',
          expiresAt: '2026-06-15T15:00:00Z',
        }),
      allow: false,
    },
    {
      name: 'break-glass for another patient',
      actor: MH,
      resource: CONDITION,
      change: (w) =>
        w.breakGlass.push({
          userId: 'user-pr-mh',
          patientId: 'p2',
          reason: 'unconscious in ED',
          expiresAt: '2026-06-15T15:00:00Z',
        }),
      allow: false,
    },
  ]);
});

describe("a permit naming an organisation's staff in one role", () => {
  const roleActor = (reference: string, role: string): NonNullable<ConsentProvision['actor']>[number] => ({
    extension: [
      {
        url: 'https://careweave.example/fhir/StructureDefinition/recipient-job-role',
        valueCoding: { system: 'https://careweave.example/fhir/CodeSystem/rbac-job-role', code: role },
      },
    ],
    role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
    reference: { reference },
  });
  const permit = (role: string) =>
    addConsent(consent({ type: 'permit', actor: [roleActor('Organization/home', role)], code: codes('medications') }));
  const MEDICINE: Resource = {
    resourceType: 'MedicationRequest',
    id: 'mr1',
    meta: { source: 'Organization/gp' },
    subject: { reference: 'Patient/p1' },
  } as Resource;
  check([
    {
      name: 'opens the category to staff in that role',
      actor: HOME,
      resource: MEDICINE,
      change: permit('R8003'),
      allow: true,
      rule: 'staff 3b',
    },
    {
      name: 'not to colleagues in other roles',
      actor: staff('home', 'care-home', 'pr-home-2', 'R8010'),
      resource: MEDICINE,
      change: permit('R8003'),
      allow: false,
    },
    {
      name: 'a deny naming the role withholds it from that role',
      actor: ACUTE,
      resource: CONDITION,
      change: addConsent(
        consent({ type: 'deny', actor: [roleActor('Organization/acute', 'R8000')], code: codes('problems') }),
      ),
      allow: false,
      rule: 'staff 7',
    },
  ]);
});

describe('appointments are a category of their own', () => {
  const APPOINTMENT = {
    resourceType: 'Appointment',
    id: 'ap1',
    status: 'booked',
    meta: { source: 'Organization/gp' },
    participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
  } as Resource;
  it('labels an Appointment `appointments`, not `encounters`', () => {
    expect(categoryOf(baseWorld(), APPOINTMENT)).toBe('appointments');
  });
  check([
    {
      name: 'a carer permitted appointments sees them',
      actor: CARER,
      resource: APPOINTMENT,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('appointments') })),
      allow: true,
    },
    {
      name: 'a carer permitted encounters does not see appointments',
      actor: CARER,
      resource: APPOINTMENT,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('encounters') })),
      allow: false,
    },
  ]);
});

describe('not for online view', () => {
  const SENSITIVITY = 'https://careweave.example/fhir/CodeSystem/sensitivity';
  const FLAG = {
    resourceType: 'Flag',
    id: 'f1',
    status: 'active',
    meta: { source: 'Organization/gp', security: [{ system: SENSITIVITY, code: 'safeguarding' }] },
    subject: { reference: 'Patient/p1' },
    code: { text: 'Safeguarding concern' },
  } as Resource;
  const released = {
    ...FLAG,
    meta: { ...FLAG.meta, security: [...FLAG.meta!.security!, { system: SENSITIVITY, code: 'online-view-released' }] },
  } as Resource;
  const marked = condition({
    meta: { source: 'Organization/gp', security: [{ system: SENSITIVITY, code: 'not-for-online-view' }] },
  });
  const carerPermit = addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1') }));
  check([
    {
      name: 'a safeguarding flag is withheld from the patient by default',
      actor: PATIENT1,
      resource: FLAG,
      allow: false,
      rule: 'patient: not for online view',
    },
    {
      name: 'and from their carer, whatever the permit',
      actor: CARER,
      resource: FLAG,
      change: carerPermit,
      allow: false,
      rule: 'related-person: not for online view',
    },
    { name: 'a released safeguarding flag is shown', actor: PATIENT1, resource: released, allow: true },
    { name: 'a resource marked not for online view is withheld', actor: PATIENT1, resource: marked, allow: false },
    { name: 'staff still see it', actor: GP, resource: marked, allow: true, rule: 'staff 2' },
    { name: 'an unmarked resource is shown', actor: PATIENT1, resource: CONDITION, allow: true },
    {
      name: 'a safeguarding label withholds also when a mental health label decides the category',
      actor: PATIENT1,
      resource: condition({
        meta: {
          source: 'Organization/gp',
          security: [
            { system: ACT_CODE, code: 'MH' },
            { system: ACT_CODE, code: 'SDV' },
          ],
        },
      }),
      allow: false,
      rule: 'patient: not for online view',
    },
  ]);
});

describe('staff outside the NHS', () => {
  const homeSees = (
    name: string,
    allow: boolean,
    change: (w: World) => void,
    resource: Resource = CONDITION,
    rule?: string,
  ): Case => ({
    name,
    actor: HOME,
    resource,
    change,
    allow,
    rule,
  });
  check([
    homeSees(
      'relationship and agreement but no permit',
      false,
      () => undefined,
      CONDITION,
      'staff 5: outside NHS without',
    ),
    homeSees(
      'permit naming the organisation',
      true,
      addConsent(consent({ type: 'permit', actor: actors('Organization/home') })),
    ),
    homeSees(
      'permit naming the practitioner',
      true,
      addConsent(consent({ type: 'permit', actor: actors('Practitioner/pr-home') })),
    ),
    homeSees('permit naming them needs no agreement', true, (w) => {
      w.agreements = [];
      w.consents.push(consent({ type: 'permit', actor: actors('Organization/home'), code: codes('problems') }));
    }),
    homeSees('permit for everyone is not enough', false, addConsent(consent({ type: 'permit' }))),
    homeSees(
      'permit for everyone covering the category is not enough',
      false,
      addConsent(consent({ type: 'permit', code: codes('problems') })),
    ),
    homeSees(
      'permit naming someone else',
      false,
      addConsent(consent({ type: 'permit', actor: actors('Organization/acute') })),
    ),
    homeSees(
      'permit naming them for another category',
      false,
      addConsent(consent({ type: 'permit', actor: actors('Organization/home'), code: codes('medications') })),
    ),
    homeSees(
      'permit naming them for a sensitive category',
      true,
      addConsent(consent({ type: 'permit', actor: actors('Organization/home'), code: codes('mental-health') })),
      labelled('PSY'),
    ),
    homeSees(
      'opt-out beats a permit naming them',
      false,
      addConsent(consent({ type: 'deny' }), consent({ type: 'permit', actor: actors('Organization/home') })),
      CONDITION,
      'staff 5: outside NHS, consent opt-out',
    ),
    homeSees(
      'deny covering the category beats a permit naming them',
      false,
      addConsent(
        consent({
          type: 'permit',
          actor: actors('Organization/home'),
          provision: [{ type: 'deny', code: codes('problems') }],
        }),
      ),
    ),
    homeSees(
      'permit naming a care team they are on does not name them',
      false,
      addConsent(consent({ type: 'permit', actor: actors('CareTeam/ct-home') })),
    ),
    homeSees(
      "the patient's permit naming them is a reason to see, without a care relationship",
      true,
      (w) => {
        w.careTeams = [];
        w.consents.push(consent({ type: 'permit', actor: actors('Organization/home') }));
      },
      CONDITION,
      'staff 3b',
    ),
    homeSees(
      'no permit and no relationship',
      false,
      (w) => {
        w.careTeams = [];
      },
      CONDITION,
      'staff 4',
    ),
    homeSees(
      'expired permit',
      false,
      addConsent(consent({ type: 'permit', actor: actors('Organization/home'), period: { end: YESTERDAY } })),
    ),
    {
      name: 'non-NHS app with a permit naming it, on the care team',
      actor: staff('app', 'non-nhs-app', 'pr-app', 'R8003'),
      resource: CONDITION,
      change: (w) => {
        w.careTeams[0]!.participant!.push({ member: { reference: 'Organization/app' } });
        w.consents.push(consent({ type: 'permit', actor: actors('Organization/app') }));
      },
      allow: true,
    },
    {
      name: 'voluntary sector without permit (agreement would grant)',
      actor: staff('vol', 'voluntary-sector', 'pr-vol', 'R8003'),
      resource: CONDITION,
      change: (w) => {
        w.careTeams[0]!.participant!.push({ member: { reference: 'Organization/vol' } });
        w.agreements[0]!.recipients.push('vol');
        w.agreements[0]!.signatures.push({ organizationId: 'vol', signedBy: 'x', signedAt: YESTERDAY });
      },
      allow: false,
      rule: 'staff 5',
    },
  ]);
});

describe('patients, carers and systems', () => {
  check([
    { name: 'patient: own record', actor: PATIENT1, resource: CONDITION, allow: true },
    { name: 'patient: own sensitive record', actor: PATIENT1, resource: labelled('HIV'), allow: true },
    { name: 'patient: own Patient', actor: PATIENT1, resource: { resourceType: 'Patient', id: 'p1' }, allow: true },
    { name: 'patient: own Consent', actor: PATIENT1, resource: consent({ type: 'deny' }), allow: true },
    {
      name: 'patient: their carer',
      actor: PATIENT1,
      resource: { resourceType: 'RelatedPerson', id: 'rp1', patient: { reference: 'Patient/p1' } },
      allow: true,
    },
    {
      name: "patient: another's record",
      actor: PATIENT1,
      resource: condition({ subject: { reference: 'Patient/p2' } }),
      allow: false,
    },
    {
      name: "patient: another's Patient",
      actor: PATIENT1,
      resource: { resourceType: 'Patient', id: 'p2' },
      allow: false,
    },
    {
      name: 'patient: directory data',
      actor: PATIENT1,
      resource: { resourceType: 'Organization', id: 'gp' },
      allow: true,
    },
    {
      name: 'carer: themselves',
      actor: CARER,
      resource: { resourceType: 'RelatedPerson', id: 'rp1', patient: { reference: 'Patient/p1' } },
      allow: true,
    },
    { name: 'carer: directory data', actor: CARER, resource: { resourceType: 'Location', id: 'l1' }, allow: true },
    { name: 'carer: no permit', actor: CARER, resource: CONDITION, allow: false },
    {
      name: 'carer: permit naming them',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('problems') })),
      allow: true,
    },
    {
      name: 'carer: permit naming them covers sensitive data',
      actor: CARER,
      resource: labelled('SEX'),
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1') })),
      allow: true,
    },
    {
      name: 'carer: permit for another category',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('medications') })),
      allow: false,
    },
    {
      name: 'carer: permit for everyone never matches a carer',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'permit' })),
      allow: false,
    },
    {
      name: 'carer: permit naming another carer',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp2') })),
      allow: false,
    },
    {
      name: 'carer: deny naming them beats the permit',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(
        consent({
          type: 'permit',
          actor: actors('RelatedPerson/rp1'),
          provision: [{ type: 'deny', actor: actors('RelatedPerson/rp1'), code: codes('problems') }],
        }),
      ),
      allow: false,
    },
    {
      name: 'carer: opt-out (no actors) does not match a carer',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'deny' }), consent({ type: 'permit', actor: actors('RelatedPerson/rp1') })),
      allow: true,
    },
    {
      name: 'carer: inactive permit',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1') }, { status: 'inactive' })),
      allow: false,
    },
    {
      name: 'carer: ended permit',
      actor: CARER,
      resource: CONDITION,
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), period: { end: YESTERDAY } })),
      allow: false,
    },
    {
      name: "carer: another patient's record even with a permit",
      actor: CARER,
      resource: condition({ subject: { reference: 'Patient/p2' } }),
      change: addConsent(
        consent({ type: 'permit', actor: actors('RelatedPerson/rp1') }, { patient: { reference: 'Patient/p2' } }),
      ),
      allow: false,
    },
    {
      name: "carer: the patient's demographics with a permit",
      actor: CARER,
      resource: { resourceType: 'Patient', id: 'p1' },
      change: addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('demographics') })),
      allow: true,
    },
    { name: 'system: anything', actor: SYSTEM, resource: labelled('HIV'), allow: true },
    { name: 'system: directory', actor: SYSTEM, resource: { resourceType: 'Organization', id: 'gp' }, allow: true },
  ]);
});

/** A Consent as staff record it on the patient's instruction. */
const instructed = (c: Consent): Consent => ({
  ...c,
  verification: [{ verified: true, verifiedWith: { reference: 'Patient/p1' }, verificationDate: '2026-06-14' }],
});

describe('writes', () => {
  const medRequest = (intent: string, patient = 'p1'): Resource =>
    ({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent,
      subject: { reference: `Patient/${patient}` },
    }) as Resource;
  const deviceObs: Resource = {
    resourceType: 'Observation',
    status: 'final',
    code: {},
    subject: { reference: 'Patient/p1' },
    device: { reference: 'Device/d1' },
  };
  const appointment: Resource = {
    resourceType: 'Appointment',
    status: 'proposed',
    participant: [{ status: 'needs-action', actor: { reference: 'Patient/p1' } }],
  };
  it.each<[string, Actor, WriteRequest, boolean, ((w: World) => void)?]>([
    ['staff create with a relationship', ACUTE, { method: 'create', resource: CONDITION }, true],
    ['staff create without a relationship', MH, { method: 'create', resource: CONDITION }, false],
    [
      'staff create with break-glass',
      MH,
      { method: 'create', resource: CONDITION },
      true,
      (w) =>
        w.breakGlass.push({
          userId: 'user-pr-mh',
          patientId: 'p1',
          reason: 'unconscious in ED',
          expiresAt: '2026-06-15T13:00:00Z',
        }),
    ],
    [
      'staff registers a new patient at their practice',
      GP,
      {
        method: 'create',
        resource: { resourceType: 'Patient', generalPractitioner: [{ reference: 'Organization/gp' }] },
      },
      true,
    ],
    [
      'staff creates a patient registered elsewhere',
      ACUTE,
      {
        method: 'create',
        resource: { resourceType: 'Patient', generalPractitioner: [{ reference: 'Organization/gp' }] },
      },
      false,
    ],
    [
      'a clinician may not add a directory entry',
      MH,
      { method: 'create', resource: { resourceType: 'Location', name: 'Ward 9' } },
      false,
    ],
    [
      "a directory administrator adds their organisation's Location",
      MH_ADMIN,
      {
        method: 'create',
        resource: { resourceType: 'Location', managingOrganization: { reference: 'Organization/mh' } },
      },
      true,
    ],
    [
      "a directory administrator may not add another organisation's Location",
      MH_ADMIN,
      {
        method: 'create',
        resource: { resourceType: 'Location', managingOrganization: { reference: 'Organization/gp' } },
      },
      false,
    ],
    [
      'a directory administrator updates their own Organization',
      MH_ADMIN,
      { method: 'update', resource: org('mh', 'mental-health'), previous: org('mh', 'mental-health') },
      true,
    ],
    [
      "a directory administrator may not change their organisation's type",
      MH_ADMIN,
      { method: 'update', resource: org('mh', 'community'), previous: org('mh', 'mental-health') },
      false,
    ],
    [
      'a directory administrator may not edit another Organization',
      MH_ADMIN,
      { method: 'update', resource: org('gp', 'gp-practice'), previous: org('gp', 'gp-practice') },
      false,
    ],
    ['staff may not create an Organization', MH_ADMIN, { method: 'create', resource: org('new', 'community') }, false],
    [
      'staff may not change a directory entry nobody owns',
      GP,
      {
        method: 'update',
        resource: { resourceType: 'Medication', id: 'm1' },
        previous: { resourceType: 'Medication', id: 'm1' },
      },
      false,
    ],
    [
      'staff naming an unrelated patient as performer',
      GP,
      { method: 'create', resource: condition({ asserter: { reference: 'Patient/p2' } }) },
      false,
    ],
    [
      'staff naming an unknown patient as performer',
      GP,
      { method: 'create', resource: condition({ asserter: { reference: 'Patient/nobody' } }) },
      false,
    ],
    [
      'staff pointing at an encounter they may not see',
      GP,
      { method: 'create', resource: condition({ encounter: { reference: 'Encounter/enc-acute' } }) },
      false,
    ],
    [
      'staff pointing at an encounter that does not exist',
      GP,
      { method: 'create', resource: condition({ encounter: { reference: 'Encounter/none' } }) },
      false,
    ],
    [
      "staff record a Consent on the patient's instruction",
      GP,
      { method: 'create', resource: instructed(consent({ type: 'deny', actor: actors('Organization/acute') })) },
      true,
    ],
    [
      "staff may not record a Consent without the patient's instruction",
      GP,
      { method: 'create', resource: consent({ type: 'deny', actor: actors('Organization/acute') }) },
      false,
    ],
    [
      'staff may not record a permit for their own organisation',
      HOME,
      { method: 'create', resource: instructed(consent({ type: 'permit', actor: actors('Organization/home') })) },
      false,
    ],
    [
      "staff may not switch off a patient's Consent without their instruction",
      GP,
      {
        method: 'update',
        resource: consent({ type: 'deny' }, { status: 'inactive' }),
        previous: consent({ type: 'deny' }),
      },
      false,
    ],
    [
      'staff may not delete a Consent',
      GP,
      {
        method: 'delete',
        resource: instructed(consent({ type: 'deny' })),
        previous: instructed(consent({ type: 'deny' })),
      },
      false,
    ],
    [
      'staff without a relationship may not record a Consent',
      MH,
      { method: 'create', resource: instructed(consent({ type: 'permit', actor: actors('Organization/acute') })) },
      false,
    ],
    [
      'no one writes the audit trail',
      SYSTEM,
      { method: 'create', resource: { resourceType: 'AuditEvent' } as Resource },
      false,
    ],
    [
      'patient naming another patient as performer',
      PATIENT1,
      { method: 'create', resource: { ...deviceObs, performer: [{ reference: 'Patient/p2' }] } },
      false,
    ],
    [
      'carer booking an appointment for two patients',
      CARER,
      {
        method: 'create',
        resource: {
          ...appointment,
          participant: [
            { status: 'needs-action', actor: { reference: 'Patient/p1' } },
            { status: 'needs-action', actor: { reference: 'Patient/p2' } },
          ],
        },
      },
      false,
      addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('encounters') })),
    ],
    ['staff update of own record', GP, { method: 'update', resource: CONDITION, previous: CONDITION }, true],
    [
      "staff update of another organisation's record",
      ACUTE,
      { method: 'update', resource: CONDITION, previous: CONDITION },
      false,
    ],
    [
      "staff delete of another organisation's record",
      ACUTE,
      { method: 'delete', resource: CONDITION, previous: CONDITION },
      false,
    ],
    [
      "staff update of another organisation's directory entry",
      ACUTE,
      {
        method: 'update',
        resource: { resourceType: 'Location', meta: { source: 'Organization/gp' } },
        previous: { resourceType: 'Location', meta: { source: 'Organization/gp' } },
      },
      false,
    ],
    [
      'staff moving own record to a patient without relationship',
      ACUTE,
      {
        method: 'update',
        resource: condition({ subject: { reference: 'Patient/p2' } }),
        previous: condition({ meta: { source: 'Organization/acute' } }),
      },
      false,
    ],
    ['patient creates own Consent', PATIENT1, { method: 'create', resource: consent({ type: 'deny' }) }, true],
    [
      'patient creates Consent for someone else',
      PATIENT1,
      { method: 'create', resource: consent({ type: 'deny' }, { patient: { reference: 'Patient/p2' } }) },
      false,
    ],
    ['patient books an appointment', PATIENT1, { method: 'create', resource: appointment }, true],
    ['patient orders a repeat (proposal)', PATIENT1, { method: 'create', resource: medRequest('proposal') }, true],
    ['patient may not place an order', PATIENT1, { method: 'create', resource: medRequest('order') }, false],
    ['patient device observation', PATIENT1, { method: 'create', resource: deviceObs }, true],
    [
      'patient observation not from a device',
      PATIENT1,
      { method: 'create', resource: { ...deviceObs, device: undefined } },
      false,
    ],
    [
      'patient proposal for another patient',
      PATIENT1,
      { method: 'create', resource: medRequest('proposal', 'p2') },
      false,
    ],
    ['patient may not create a Condition', PATIENT1, { method: 'create', resource: CONDITION }, false],
    ['patient may not delete', PATIENT1, { method: 'delete', resource: appointment, previous: appointment }, false],
    [
      'carer orders a repeat with a permit for medications',
      CARER,
      { method: 'create', resource: medRequest('proposal') },
      true,
      addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1'), code: codes('medications') })),
    ],
    ['carer orders a repeat without a permit', CARER, { method: 'create', resource: medRequest('proposal') }, false],
    [
      'carer may not write Consent',
      CARER,
      { method: 'create', resource: consent({ type: 'permit' }) },
      false,
      addConsent(consent({ type: 'permit', actor: actors('RelatedPerson/rp1') })),
    ],
    ['system writes anything', SYSTEM, { method: 'delete', resource: CONDITION, previous: CONDITION }, true],
  ])('%s', (_name, actor, write, allow, change) => {
    const world = baseWorld();
    change?.(world);
    expect(decideWrite(world, actor, write, NOW).allow).toBe(allow);
  });
});
