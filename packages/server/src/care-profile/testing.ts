/**
 * Fixtures for the profile's integration tests: a small economy under the demo direct-care
 * agreement (a practice, a community provider, an ambulance trust, an acute trust with no
 * relationship to the patient), staff with accounts, and a high-risk patient of the practice with a
 * carer, a care-coordination team, conditions (one resolved, one about mental health), a medicine,
 * an allergy and a care plan.
 */
import type { Organization, Patient, Resource } from '@medplum/fhirtypes';
import { ORGANISATION_TYPE_SYSTEM, type OrganisationType, type StaffActor } from '../access/actor.ts';
import { actorClient, type UserActor } from '../access/testing/actor-client.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { createTestApp, type FhirResponse, type TestApp } from '../testing/app.ts';
import { CARE_TEAM_ROLE_SYSTEM, RISK_BAND_SYSTEM } from './codes.ts';

export interface ProfileTestApp {
  t: TestApp;
  orgs: Record<'practice' | 'community' | 'ambulance' | 'acute', string>;
  gp: StaffActor;
  matron: StaffActor;
  paramedic: StaffActor;
  /** A paramedic at the same trust who reaches the patient through an open ambulance Encounter. */
  crew: StaffActor;
  /** A doctor at an acute trust with no relationship to the patient: the attacker with a valid account. */
  stranger: StaffActor;
  patientId: string;
  patient: UserActor;
  /** Another patient of the practice (no profile). */
  otherPatient: UserActor;
  create<T extends Resource>(resource: T): Promise<T & { id: string }>;
  fhir(actor: UserActor, method: 'GET' | 'POST', path: string, body?: unknown): Promise<FhirResponse>;
  api(
    actor: UserActor,
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
  ): Promise<Pick<FhirResponse, 'status' | 'body'>>;
  close(): Promise<void>;
}

const code = (system: string, value: string, display?: string) => ({
  coding: [{ system, code: value, ...(display ? { display } : {}) }],
  ...(display ? { text: display } : {}),
});
const SNOMED = 'http://snomed.info/sct';
const active = code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active');

/** A high-risk score as the risk model files it (issue 12 convention). */
export function riskAssessment(patientId: string, band: string, at: string): Resource {
  return {
    resourceType: 'RiskAssessment',
    status: 'final',
    subject: { reference: `Patient/${patientId}` },
    occurrenceDateTime: at,
    method: code('https://careweave.example/fhir/CodeSystem/risk-model', 'ea12-v1'),
    prediction: [{ probabilityDecimal: 0.42, qualitativeRisk: code(RISK_BAND_SYSTEM, band) }],
  };
}

export async function profileTestApp(): Promise<ProfileTestApp> {
  const t = await createTestApp();
  await t.app.ready();
  const create = async <T extends Resource>(resource: T) =>
    (await t.platform.resources.create(resource.resourceType, resource)).resource as T & { id: string };
  const org = async (name: string, type: OrganisationType) =>
    (
      await create<Organization>({
        resourceType: 'Organization',
        name,
        active: true,
        type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: type }] }],
      })
    ).id;
  const orgs = {
    practice: await org('Beacon Surgery', 'gp-practice'),
    community: await org('West Lancs Community', 'community'),
    ambulance: await org('North West Ambulance Service', 'ambulance'),
    acute: await org('Faraway Hospital', 'acute-trust'),
  };
  await ensureDemoAgreement(t.platform);
  const staff = async (name: string, orgId: string, type: OrganisationType, rbac: string): Promise<StaffActor> => {
    const practitioner = await create({ resourceType: 'Practitioner', active: true, name: [{ family: name }] });
    const userId = `user-${practitioner.id}`;
    await t.platform.db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2)`, [
      userId,
      `Practitioner/${practitioner.id}`,
    ]);
    await t.platform.db.query(
      `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, $4)`,
      [`profile-${userId}`, userId, orgId, rbac],
    );
    return {
      kind: 'staff',
      userId,
      practitionerId: practitioner.id,
      organizationId: orgId,
      organizationType: type,
      roleCode: rbac,
      scopes: ['user/*.cruds'],
    };
  };
  const client = actorClient(t);
  const gp = await staff('Practice', orgs.practice, 'gp-practice', 'R8000');
  const matron = await staff('Matron', orgs.community, 'community', 'R8001');
  const paramedic = await staff('Paramedic', orgs.ambulance, 'ambulance', 'R8003');
  const crew = await staff('Crew', orgs.ambulance, 'ambulance', 'R8003');
  const stranger = await staff('Stranger', orgs.acute, 'acute-trust', 'R8000');
  const patient = await create<Patient>({
    resourceType: 'Patient',
    name: [{ given: ['Edna'], family: 'Moss' }],
    birthDate: '1936-04-02',
    generalPractitioner: [{ reference: `Organization/${orgs.practice}` }],
  });
  const other = await create<Patient>({
    resourceType: 'Patient',
    name: [{ given: ['Frank'], family: 'Other' }],
    birthDate: '1950-01-01',
    generalPractitioner: [{ reference: `Organization/${orgs.practice}` }],
  });
  const subject = { reference: `Patient/${patient.id}` };
  await create({
    resourceType: 'RelatedPerson',
    patient: subject,
    name: [{ given: ['Jean'], family: 'Moss' }],
    relationship: [{ text: 'Daughter, main carer' }],
    telecom: [{ system: 'phone', value: '07700 900555' }],
  });
  await create({
    resourceType: 'CareTeam',
    status: 'active',
    subject,
    name: 'Care coordination',
    category: [code('https://careweave.example/fhir/CodeSystem/care-team-category', 'care-coordination')],
    participant: [
      {
        role: [code(CARE_TEAM_ROLE_SYSTEM, 'community-matron', 'Community matron')],
        member: { reference: `Practitioner/${matron.practitionerId}`, display: 'Helen Matron' },
        onBehalfOf: { reference: `Organization/${orgs.community}`, display: 'West Lancs Community' },
      },
    ],
  });
  for (const [snomed, text, status, security] of [
    ['13645005', 'COPD', 'active', undefined],
    ['84114007', 'Heart failure', 'active', undefined],
    ['195967001', 'Asthma (childhood)', 'resolved', undefined],
    ['35489007', 'Depression', 'active', 'PSY'],
  ] as const) {
    await create({
      resourceType: 'Condition',
      subject,
      code: code(SNOMED, snomed, text),
      clinicalStatus: status === 'active' ? active : code(active.coding[0]!.system, status),
      ...(security
        ? { meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: security }] } }
        : {}),
    });
  }
  await create({
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject,
    medicationCodeableConcept: { text: 'Furosemide 40mg tablets' },
    dosageInstruction: [{ text: 'One each morning' }],
  });
  await create({
    resourceType: 'AllergyIntolerance',
    patient: subject,
    clinicalStatus: code('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active'),
    code: { text: 'Penicillin' },
    criticality: 'high',
    reaction: [{ manifestation: [{ text: 'Anaphylaxis' }] }],
  });
  await create({
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    subject,
    title: 'COPD self-management plan',
  });
  const api: ProfileTestApp['api'] = async (actor, method, url, body) => {
    const response = await t.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${await client.tokenFor(actor)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const parsed: unknown = response.body ? JSON.parse(response.body) : undefined;
    return { status: response.statusCode, body: parsed };
  };
  return {
    t,
    orgs,
    gp,
    matron,
    paramedic,
    crew,
    stranger,
    patientId: patient.id,
    patient: { kind: 'patient', userId: `user-${patient.id}`, patientId: patient.id, scopes: [] },
    otherPatient: { kind: 'patient', userId: `user-${other.id}`, patientId: other.id, scopes: [] },
    create,
    fhir: (actor, method, path, body) => client.as(actor, method, path, body),
    api,
    close: () => t.close(),
  };
}
