/**
 * A small health economy for the access tests (docs/ACCESS.md): a GP practice, an acute trust,
 * community, mental-health and social-care providers, a care home and a commissioner; three
 * patients with records from several of them, care team, referral, consents (opt-out, deny,
 * permit, sensitive, carer with end dates) and agreements signed, unsigned, expired and withdrawn.
 * The expected visibility of every patient-data resource for each actor is written out by hand.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.ts';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { ResourceService } from '../../fhir/store/resource.service.ts';
import {
  DATA_CATEGORY_SYSTEM,
  ORGANISATION_TYPE_SYSTEM,
  type Actor,
  type OrganisationType,
  type StaffActor,
} from '../actor.ts';
import { createAccessModule, type AccessModule } from '../index.ts';

const DAY = 86_400_000;
const at = (offsetDays: number): string => new Date(Date.now() + offsetDays * DAY).toISOString();
const date = (offsetDays: number): string => at(offsetDays).slice(0, 10);
export const RBAC_SYSTEM = 'https://careweave.example/fhir/CodeSystem/rbac-job-role';
const SCOPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] };
const CONSENT_CATEGORY = [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }];
const ROLE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] };

export const ORGS: Record<string, OrganisationType> = {
  'org-gp': 'gp-practice',
  'org-gp2': 'gp-practice',
  'org-acute': 'acute-trust',
  'org-comm': 'community',
  'org-mh': 'mental-health',
  'org-sc': 'social-care',
  'org-ch': 'care-home',
  'org-icb': 'commissioner',
};

function staff(id: string, org: string, roleCode: string, extra: Partial<StaffActor> = {}): StaffActor {
  return {
    kind: 'staff',
    userId: `user-${id}`,
    practitionerId: `pr-${id}`,
    organizationId: org,
    organizationType: ORGS[org]!,
    roleCode,
    scopes: ['user/*.cruds'],
    ...extra,
  };
}

export const ACTORS = {
  gp: staff('gp', 'org-gp', 'R8000'),
  nurse: staff('nurse', 'org-comm', 'R8001'),
  socialWorker: staff('sw', 'org-sc', 'R8003'),
  socialClerk: staff('sc-clerk', 'org-sc', 'R8010'),
  careHome: staff('ch', 'org-ch', 'R8008'),
  mhNurse: staff('mh', 'org-mh', 'R8001'),
  acute: staff('acute', 'org-acute', 'R8000', { practitionerRoleId: 'role-acute' }),
  carer: { kind: 'related-person', userId: 'user-carer', relatedPersonId: 'rp1', patientId: 'p1', scopes: [] },
  patient1: { kind: 'patient', userId: 'user-p1', patientId: 'p1', scopes: [] },
  patient2: { kind: 'patient', userId: 'user-p2', patientId: 'p2', scopes: [] },
  system: { kind: 'system', clientId: 'integration', scopes: [] },
} satisfies Record<string, Actor>;

export const officer = (org: string): StaffActor => staff(`po-${org}`, org, 'R0001');

const P1 = [
  'Patient/p1',
  'RelatedPerson/rp1',
  'Condition/p1-gp-cond',
  'MedicationRequest/p1-gp-med',
  'AllergyIntolerance/p1-gp-allergy',
  'Encounter/p1-acute-enc',
  'Observation/p1-acute-lab',
  'Observation/p1-acute-sex',
  'Observation/p1-comm-obs',
  'Condition/p1-mh-cond',
  'DocumentReference/p1-sc-doc',
  'CareTeam/p1-ct',
  'ServiceRequest/p1-sr',
  'Consent/p1-c-carehome',
  'Consent/p1-c-carer',
  'Consent/p1-c-mh',
  'Consent/p1-c-comm-deny',
  'Consent/p1-c-inactive',
];
const P2 = ['Patient/p2', 'Observation/p2-acute-obs', 'Condition/p2-gp-cond', 'Consent/p2-optout'];
const P3 = ['Patient/p3', 'Condition/p3-cond'];

/** Every patient-data resource of the scenario. */
export const UNIVERSE = [...P1, ...P2, ...P3];
export const PATIENT_DATA_TYPES = [...new Set(UNIVERSE.map((ref) => ref.split('/')[0]!))];
const P1_CONSENTS = P1.filter((ref) => ref.startsWith('Consent/'));

/** Exactly what each actor may see of UNIVERSE (docs/ACCESS.md worked by hand). */
export const EXPECTED: Record<keyof typeof ACTORS, string[]> = {
  gp: [
    'Patient/p1',
    'RelatedPerson/rp1',
    'Condition/p1-gp-cond',
    'MedicationRequest/p1-gp-med',
    'AllergyIntolerance/p1-gp-allergy',
    'CareTeam/p1-ct',
    'ServiceRequest/p1-sr',
    ...P1_CONSENTS,
    'Encounter/p1-acute-enc', // agreement acute -> gp, encounters
    'Observation/p1-acute-lab', // results
    'Observation/p1-comm-obs', // observations
    'Condition/p1-mh-cond', // mental-health: agreed and permitted to everyone
    'DocumentReference/p1-sc-doc', // social-care: agreed, implied consent for direct care
    // not Observation/p1-acute-sex (sexual-health: no agreement)
    'Patient/p2',
    'Condition/p2-gp-cond',
    'Consent/p2-optout',
    // not Observation/p2-acute-obs (opt-out)
  ],
  nurse: [
    'Observation/p1-comm-obs',
    'Patient/p1',
    'RelatedPerson/rp1',
    'Condition/p1-gp-cond',
    'MedicationRequest/p1-gp-med',
    'AllergyIntolerance/p1-gp-allergy',
    'CareTeam/p1-ct',
    'ServiceRequest/p1-sr',
    'Encounter/p1-acute-enc',
    'Condition/p1-mh-cond',
    ...P1_CONSENTS, // NHS staff with a relationship see the patient's consents
    // not p1-acute-lab (consent denies results to community), not p1-acute-sex (agreement expired)
  ],
  socialWorker: [
    'DocumentReference/p1-sc-doc',
    'Patient/p1',
    'RelatedPerson/rp1',
    'Condition/p1-gp-cond',
    'CareTeam/p1-ct',
    'ServiceRequest/p1-sr',
    ...P1_CONSENTS,
    // not medications (agreement unsigned), not allergies (agreement withdrawn)
  ],
  // Clerical (R8010): demographics and appointments only, and the agreement is for R8003 only.
  socialClerk: [],
  careHome: ['Patient/p1', 'RelatedPerson/rp1', 'MedicationRequest/p1-gp-med', 'AllergyIntolerance/p1-gp-allergy'],
  // Care-team membership ended: no relationship, so not even the trust's own record (need to know).
  mhNurse: [],
  // No open episode with either patient: not even the trust's own A&E record (need to know).
  acute: [],
  carer: ['RelatedPerson/rp1', 'Patient/p1', 'MedicationRequest/p1-gp-med'],
  patient1: P1,
  patient2: P2,
  system: UNIVERSE,
};

function organisation(id: string, type: OrganisationType): Resource {
  return {
    resourceType: 'Organization',
    id,
    active: true,
    name: `Organisation ${id}`,
    type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: type }] }],
  };
}

const categories = (...codes: string[]) => codes.map((code) => ({ coding: [{ system: DATA_CATEGORY_SYSTEM, code }] }));
const actor = (reference: string) => ({ role: ROLE, reference: { reference } });
const consent = (id: string, patient: string, provision: Record<string, unknown>, status = 'active'): Resource =>
  ({
    resourceType: 'Consent',
    id,
    status,
    scope: SCOPE,
    category: CONSENT_CATEGORY,
    patient: { reference: `Patient/${patient}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTINR' }] },
    provision,
  }) as Resource;

export function scenarioResources(): Resource[] {
  const staffResources: Resource[] = [];
  for (const a of Object.values(ACTORS)) {
    if (a.kind === 'staff') {
      staffResources.push({ resourceType: 'Practitioner', id: a.practitionerId, active: true });
    }
  }
  staffResources.push(
    { resourceType: 'Practitioner', id: 'pr-po-acute', active: true },
    {
      resourceType: 'PractitionerRole',
      id: 'role-po-acute',
      active: true,
      practitioner: { reference: 'Practitioner/pr-po-acute' },
      organization: { reference: 'Organization/org-acute' },
      code: [{ coding: [{ system: RBAC_SYSTEM, code: 'R0001', display: 'Privacy officer' }] }],
    },
    {
      resourceType: 'PractitionerRole',
      id: 'role-acute',
      active: true,
      practitioner: { reference: 'Practitioner/pr-acute' },
      organization: { reference: 'Organization/org-acute' },
      code: [{ coding: [{ system: RBAC_SYSTEM, code: 'R8000' }] }],
    },
  );
  const subject = (p: string) => ({ reference: `Patient/${p}` });
  const code = (text: string) => ({ text });
  const resources: Resource[] = [
    ...Object.entries(ORGS).map(([id, type]) => organisation(id, type)),
    ...staffResources,
    // Patient 1 and their record, from six organisations.
    {
      resourceType: 'Patient',
      id: 'p1',
      name: [{ family: 'One' }],
      generalPractitioner: [{ reference: 'Organization/org-gp' }],
      managingOrganization: { reference: 'Organization/org-gp' },
    },
    {
      resourceType: 'RelatedPerson',
      id: 'rp1',
      patient: subject('p1'),
      name: [{ family: 'Carer' }],
    },
    { resourceType: 'Condition', id: 'p1-gp-cond', subject: subject('p1'), code: code('Hypertension') },
    {
      resourceType: 'MedicationRequest',
      id: 'p1-gp-med',
      meta: { source: 'Organization/org-gp' },
      status: 'active',
      intent: 'order',
      subject: subject('p1'),
      encounter: { reference: 'Encounter/p1-acute-enc' },
      medicationCodeableConcept: code('Amlodipine 5mg tablets'),
    },
    {
      resourceType: 'AllergyIntolerance',
      id: 'p1-gp-allergy',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
      },
      patient: subject('p1'),
      code: code('Penicillin'),
    },
    {
      resourceType: 'Encounter',
      id: 'p1-acute-enc',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
      subject: subject('p1'),
      serviceProvider: { reference: 'Organization/org-acute' },
    },
    {
      resourceType: 'Observation',
      id: 'p1-acute-lab',
      status: 'final',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      ],
      code: code('Haemoglobin'),
      subject: subject('p1'),
      encounter: { reference: 'Encounter/p1-acute-enc' },
    },
    {
      resourceType: 'Observation',
      id: 'p1-acute-sex',
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'SEX' }] },
      status: 'final',
      code: code('Chlamydia screen'),
      subject: subject('p1'),
      encounter: { reference: 'Encounter/p1-acute-enc' },
    },
    {
      resourceType: 'Observation',
      id: 'p1-comm-obs',
      meta: { source: 'https://community.example/fhir/Organization/org-comm' },
      status: 'final',
      code: code('Leg ulcer dressing'),
      subject: subject('p1'),
    },
    {
      resourceType: 'Condition',
      id: 'p1-mh-cond',
      meta: { source: 'Organization/org-mh' },
      subject: subject('p1'),
      code: code('Depression'),
    },
    {
      resourceType: 'DocumentReference',
      id: 'p1-sc-doc',
      meta: { source: 'Organization/org-sc' },
      status: 'current',
      subject: subject('p1'),
      content: [{ attachment: { contentType: 'text/plain', title: 'Care needs assessment' } }],
    },
    {
      resourceType: 'CareTeam',
      id: 'p1-ct',
      meta: { source: 'Organization/org-gp' },
      status: 'active',
      subject: subject('p1'),
      participant: [
        { member: { reference: 'Organization/org-comm' } },
        { member: { reference: 'Organization/org-ch' }, period: { start: date(-30) } },
        { member: { reference: 'Organization/org-mh' }, period: { start: date(-400), end: date(-30) } },
      ],
    },
    {
      resourceType: 'ServiceRequest',
      id: 'p1-sr',
      meta: { source: 'Organization/org-gp' },
      status: 'active',
      intent: 'order',
      subject: subject('p1'),
      code: code('Social care assessment'),
      performer: [{ reference: 'Organization/org-sc' }],
    },
    consent('p1-c-carehome', 'p1', {
      type: 'permit',
      actor: [actor('Organization/org-ch')],
      code: categories('medications', 'allergies', 'demographics'),
    }),
    consent('p1-c-carer', 'p1', {
      type: 'permit',
      actor: [actor('RelatedPerson/rp1')],
      code: categories('medications', 'encounters', 'demographics'),
      period: { end: date(30) },
      provision: [
        { type: 'permit', actor: [actor('RelatedPerson/rp1')], code: categories('problems'), period: { end: at(-1) } },
        { type: 'deny', actor: [actor('RelatedPerson/rp1')], code: categories('encounters') },
      ],
    }),
    consent('p1-c-mh', 'p1', { type: 'permit', code: categories('mental-health') }),
    consent('p1-c-comm-deny', 'p1', {
      type: 'deny',
      actor: [actor('Organization/org-comm')],
      code: categories('results'),
    }),
    consent('p1-c-inactive', 'p1', { type: 'deny' }, 'inactive'),
    // Patient 2 opted out.
    {
      resourceType: 'Patient',
      id: 'p2',
      name: [{ family: 'Two' }],
      generalPractitioner: [{ reference: 'Organization/org-gp' }],
    },
    {
      resourceType: 'Observation',
      id: 'p2-acute-obs',
      meta: { source: 'Organization/org-acute' },
      status: 'final',
      code: code('Blood pressure'),
      subject: subject('p2'),
    },
    { resourceType: 'Condition', id: 'p2-gp-cond', subject: subject('p2'), code: code('Asthma') },
    consent('p2-optout', 'p2', { type: 'deny' }),
    // Patient 3, registered elsewhere.
    {
      resourceType: 'Patient',
      id: 'p3',
      name: [{ family: 'Three' }],
      generalPractitioner: [{ reference: 'Organization/org-gp2' }],
    },
    { resourceType: 'Condition', id: 'p3-cond', subject: subject('p3'), code: code('Eczema') },
  ] as Resource[];
  for (const resource of resources) {
    const errors = validateFhirResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (errors.length) {
      throw new Error(`${resource.resourceType}/${resource.id}: ${JSON.stringify(errors)}`);
    }
  }
  return resources;
}

export interface Scenario {
  access: AccessModule;
  /** Unrestricted, with the access hooks. */
  resources: ResourceService;
  fhirBase: string;
  agreementIds: Record<string, string>;
}

/** Loads the scenario into a migrated, empty database. */
export async function loadScenario(db: Database, fhirBase = 'http://careweave.test/fhir/R4'): Promise<Scenario> {
  const access = createAccessModule({ db, fhirBase });
  const resources = new ResourceService(db, { fhirBase, defaultPageSize: 20, maxPageSize: 100, hooks: access.hooks });
  // One batch, as the seed writes them: labels must resolve within the batch (encounters, practices).
  await resources.transaction((tx) =>
    tx.writeMany(scenarioResources().map((resource) => ({ resource, method: 'update' as const }))),
  );
  const icb = officer('org-icb');
  const agreementIds: Record<string, string> = {};
  const make = async (key: string, body: Record<string, unknown>, signers: string[] | 'all'): Promise<void> => {
    const created = await access.agreements.create(icb, {
      lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
      purposes: ['direct-care'],
      validFrom: date(-60),
      recipientRoles: [],
      ...body,
    });
    agreementIds[key] = created.id;
    const parties = signers === 'all' ? created.parties.map((p) => p.organizationId) : signers;
    for (const org of parties) {
      await access.agreements.sign(officer(org), created.id);
    }
  };
  await make(
    'shared-care',
    {
      title: 'Shared care record',
      providers: ['org-gp', 'org-acute', 'org-comm', 'org-mh'],
      recipients: ['org-gp', 'org-acute', 'org-comm'],
      categories: [
        'demographics',
        'problems',
        'medications',
        'allergies',
        'encounters',
        'observations',
        'results',
        'care-plans',
        'mental-health',
      ],
    },
    'all',
  );
  await make(
    'social',
    {
      title: 'GP to social care',
      purposes: ['direct-care', 'care-coordination'],
      providers: ['Organization/org-gp'],
      recipients: ['org-sc'],
      recipientRoles: ['R8003'],
      categories: ['demographics', 'problems', 'care-plans'],
    },
    'all',
  );
  await make(
    'unsigned',
    {
      title: 'Documents to social care',
      providers: ['org-gp'],
      recipients: ['org-sc'],
      categories: ['documents', 'medications'],
    },
    ['org-gp'],
  );
  await make(
    'expired',
    {
      title: 'Sexual health to community',
      providers: ['org-acute'],
      recipients: ['org-comm'],
      categories: ['sexual-health'],
      validFrom: date(-400),
      validTo: date(-1),
    },
    'all',
  );
  await make(
    'withdrawn',
    { title: 'Allergies to social care', providers: ['org-gp'], recipients: ['org-sc'], categories: ['allergies'] },
    'all',
  );
  await access.agreements.withdraw(officer('org-sc'), agreementIds.withdrawn!, 'No longer needed');
  await make(
    'social-to-gp',
    { title: 'Social care to GP', providers: ['org-sc'], recipients: ['org-gp'], categories: ['social-care'] },
    'all',
  );
  return { access, resources, fhirBase, agreementIds };
}
