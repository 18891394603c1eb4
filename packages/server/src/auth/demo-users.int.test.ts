import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { buildApp, createPlatform, type Platform } from '../http/app.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { LoginThrottle } from './login-throttle.ts';
import { checkPassword } from './password-login.ts';
import { ensureDemoUsers, formatDemoLogins } from './demo-users.ts';
import { AuthStore } from './store.ts';
import { mintToken } from './testing/tokens.ts';

/**
 * The demo population of a small test: 40 patients of seed 1. Adults at demo.gp's practice
 * (org-p81002) in it are pat-000009 and pat-000025; the second is given a repeat medicine so that
 * the demo patient's choice has one to find, and a problem and an allergy for the access checks.
 */
async function demoPlatform(): Promise<{ database: TestDatabase; platform: Platform }> {
  const database = await createTestDatabase();
  const platform = createPlatform(loadConfig({ CAREWEAVE_LOG_LEVEL: 'silent' }), database.db);
  await loadSeedPopulation(platform.resources, { patients: 40, seed: 1 });
  const subject = { reference: 'Patient/pat-000025' };
  await platform.resources.create('MedicationRequest', {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject,
    medicationCodeableConcept: { text: 'Ramipril 5mg capsules' },
    courseOfTherapyType: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' },
      ],
    },
  });
  await platform.resources.create('Condition', { resourceType: 'Condition', subject, code: { text: 'Hypertension' } });
  await platform.resources.create('AllergyIntolerance', {
    resourceType: 'AllergyIntolerance',
    patient: subject,
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
    },
    code: { text: 'Penicillin' },
  });
  return { database, platform };
}

describe('demo sign-ins', () => {
  let database: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    ({ database, platform } = await demoPlatform());
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('creates one account per kind of person, with printed passwords, once', async () => {
    const logins = await ensureDemoUsers(platform);
    expect(logins.map((l) => l.username)).toEqual([
      'demo.gp',
      'demo.nurse',
      'demo.socialworker',
      'demo.carehome',
      'demo.privacy',
      'demo.reception',
      'demo.telehealth',
      'demo.practiceadmin',
      'demo.commissioner',
      'demo.matron',
      'demo.coordinator',
      'demo.ambulance',
      'demo.consultant',
      'demo.triager',
      'demo.bookingclerk',
      'demo.patient',
      'demo.carer',
      'demo.admin',
    ]);
    expect(logins.every((l) => l.password)).toBe(true);
    const store = new AuthStore(platform.db);
    const gp = (await store.userByLogin('demo.gp'))!;
    // Created in one instant, so in no particular order.
    expect((await store.roleProfiles(gp.id)).map((p) => `${p.roleCode}@${p.organizationId}`).sort()).toEqual([
      'R8000@org-8wl01',
      'R8000@org-p81002',
    ]);
    const roles = async (name: string) =>
      (await store.roleProfiles((await store.userByLogin(name))!.id)).map((p) => p.roleCode);
    expect(await roles('demo.nurse')).toEqual(['R8001']);
    expect(await roles('demo.socialworker')).toEqual(['R8003']);
    expect(await roles('demo.privacy')).toEqual(['R0001']);
    expect(await roles('demo.reception')).toEqual(['R8010']);
    expect(await roles('demo.commissioner')).toEqual(['R8012']);
    expect(await roles('demo.telehealth')).toEqual(['R8001']);
    expect(await roles('demo.practiceadmin')).toEqual(['R8010']);
    expect(await roles('demo.matron')).toEqual(['R8001']);
    expect(await roles('demo.coordinator')).toEqual(['R8003']);
    expect(await roles('demo.ambulance')).toEqual(['R8003']);
    expect(await roles('demo.consultant')).toEqual(['R8000']);
    expect(await roles('demo.triager')).toEqual(['R8003']);
    expect(await roles('demo.bookingclerk')).toEqual(['R8008']);
    const organisationOf = async (name: string) =>
      (await store.roleProfiles((await store.userByLogin(name))!.id))[0]!.organizationId;
    expect(await organisationOf('demo.ambulance')).toBe('org-rx7');
    expect(await organisationOf('demo.coordinator')).toBe('org-8wl01');
    expect(await organisationOf('demo.triager')).toBe('org-rvy');
    expect((await store.roleProfiles((await store.userByLogin('demo.socialworker'))!.id))[0]!.organizationId).toBe(
      'org-888',
    );
    // The demo patient is registered with demo.gp's practice and has a repeat medicine to order.
    const patientRef = (await store.userByLogin('demo.patient'))!.fhirUser!;
    const patient = JSON.parse((await platform.resources.read('Patient', patientRef.split('/')[1]!)).json!);
    expect(patient.generalPractitioner[0].reference).toBe('Organization/org-p81002');
    expect(patient.deceasedBoolean ?? patient.deceasedDateTime).toBeFalsy();
    const orders = await platform.resources.search('MedicationRequest', [
      ['subject', patientRef],
      ['status', 'active'],
    ]);
    const courses = orders.entry!.map((e: any) => e.resource.courseOfTherapyType?.coding?.[0]?.code);
    expect(courses).toContain('continuous');
    expect((await store.userByLogin('demo.carer'))!.fhirUser).toBe('RelatedPerson/rp-demo-carer');
    const carer = JSON.parse((await platform.resources.read('RelatedPerson', 'rp-demo-carer')).json!);
    expect(carer.patient.reference).toBe(patientRef);
    // The printed password works.
    const throttle = new LoginThrottle(platform.db, platform.config.auth.loginThrottle);
    const attempt = { login: 'demo.gp', password: logins[0]!.password!, clientId: 'careweave-web', address: '::1' };
    expect((await checkPassword({ store, throttle }, attempt)).kind).toBe('ok');
    expect(formatDemoLogins(logins)[1]).toContain('demo.gp');

    const again = await ensureDemoUsers(platform);
    expect(again).toHaveLength(18);
    expect(again.every((l) => l.password === undefined)).toBe(true);
  });
});

describe('what each demo sign-in sees of the demo patient', () => {
  let database: TestDatabase;
  let platform: Platform;
  let app: FastifyInstance;
  let store: AuthStore;
  let patientId: string;

  beforeAll(async () => {
    ({ database, platform } = await demoPlatform());
    // As `careweave start` does: the agreement, then the sign-ins and the demo patient's record.
    await ensureDemoAgreement(platform);
    await ensureDemoUsers(platform);
    app = await buildApp(platform);
    store = new AuthStore(platform.db);
    patientId = (await store.userByLogin('demo.patient'))!.fhirUser!.replace('Patient/', '');
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  /** An access token like the one the sign-in gives `username` (staff: their first role profile). */
  const tokenFor = async (username: string): Promise<string> => {
    const user = (await store.userByLogin(username))!;
    const [kind, id] = user.fhirUser!.split('/') as [string, string];
    const base = { sub: user.id, client_id: 'careweave-web', fhirUser: `${platform.fhirBase}/${user.fhirUser}` };
    if (kind === 'Practitioner') {
      // demo.gp has two roles created in the same instant (their order is then by organisation id):
      // sign in at the practice, as the demo's GP does.
      const profiles = await store.roleProfiles(user.id);
      const profile = profiles.find((p) => p.organizationId === 'org-p81002') ?? profiles[0]!;
      return mintToken(platform, {
        ...base,
        actor: 'staff',
        scope: 'openid user/*.cruds',
        role_profile: {
          id: profile.id,
          organization: profile.organizationId,
          role: profile.roleCode,
          practitionerRole: profile.practitionerRoleId,
        },
      });
    }
    return mintToken(platform, {
      ...base,
      actor: kind === 'Patient' ? 'patient' : 'related-person',
      scope: 'openid patient/*.cruds',
      patient: kind === 'Patient' ? id : patientId,
    });
  };

  const DIRECTORY = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Medication']);
  /** The patient data types (and the Flag ids) of the demo patient's `$everything` as `username` sees it. */
  const sees = async (username: string): Promise<{ status: number; types: string[]; flags: string[] }> => {
    const response = await app.inject({
      method: 'GET',
      url: `/fhir/R4/Patient/${patientId}/$everything`,
      headers: { authorization: `Bearer ${await tokenFor(username)}` },
    });
    const bundle = response.json<Bundle>();
    const resources = (bundle.entry ?? [])
      .filter((e) => e.search?.mode === 'match')
      .map((e) => e.resource as Resource)
      .filter((r) => !DIRECTORY.has(r.resourceType));
    return {
      status: response.statusCode,
      types: [...new Set(resources.map((r) => r.resourceType))].sort(),
      flags: resources.filter((r) => r.resourceType === 'Flag').map((r) => r.id!),
    };
  };

  const readFlag = async (username: string): Promise<number> =>
    (
      await app.inject({
        method: 'GET',
        url: '/fhir/R4/Flag/demo-safeguarding-flag',
        headers: { authorization: `Bearer ${await tokenFor(username)}` },
      })
    ).statusCode;

  it('the GP sees the whole record, with the safeguarding flag', async () => {
    const gp = await sees('demo.gp');
    expect(gp.status).toBe(200);
    expect(gp.types).toEqual(
      expect.arrayContaining([
        'AllergyIntolerance',
        'Appointment',
        'Condition',
        'Flag',
        'MedicationRequest',
        'Patient',
      ]),
    );
    expect(gp.flags).toContain('demo-safeguarding-flag');
    expect(await readFlag('demo.gp')).toBe(200);
  });

  it('the patient and their carer do not see the safeguarding flag', async () => {
    const patient = await sees('demo.patient');
    expect(patient.status).toBe(200);
    expect(patient.types).toEqual(expect.arrayContaining(['Condition', 'MedicationRequest', 'Patient']));
    expect(patient.flags).toEqual([]);
    const carer = await sees('demo.carer');
    expect(carer.status).toBe(200);
    expect(carer.types).toContain('MedicationRequest');
    expect(carer.flags).toEqual([]);
    // Hidden is absent: a read by id is answered as for a flag that does not exist.
    expect(await readFlag('demo.patient')).toBe(404);
    expect(await readFlag('demo.carer')).toBe(404);
  });

  it('the care home sees what the permit names: medicines and allergies, not problems', async () => {
    const home = await sees('demo.carehome');
    expect(home.status).toBe(200);
    expect(home.types).toEqual(['AllergyIntolerance', 'MedicationRequest', 'Patient', 'RelatedPerson']);
  });

  it('the receptionist sees details and appointments only', async () => {
    const reception = await sees('demo.reception');
    expect(reception.status).toBe(200);
    expect(reception.types).toEqual(['Appointment', 'Patient', 'RelatedPerson']);
  });

  it('the district nurse and the social worker have a care relationship, and do not see the flag', async () => {
    for (const username of ['demo.nurse', 'demo.socialworker']) {
      const view = await sees(username);
      expect(view.status, username).toBe(200);
      expect(view.types, username).toEqual(expect.arrayContaining(['CareTeam', 'Condition', 'Patient']));
      expect(view.flags, username).toEqual([]);
    }
  });
});
