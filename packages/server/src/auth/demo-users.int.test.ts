import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createPlatform, type Platform } from '../http/app.ts';
import { loadSeedPopulation } from '../seed/load.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { LoginThrottle } from './login-throttle.ts';
import { checkPassword } from './password-login.ts';
import { ensureDemoUsers, formatDemoLogins } from './demo-users.ts';
import { AuthStore } from './store.ts';

describe('demo sign-ins', () => {
  let database: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = createPlatform(loadConfig({ CAREWEAVE_LOG_LEVEL: 'silent' }), database.db);
    await loadSeedPopulation(platform.resources, { patients: 40, seed: 1 });
    // Adults at demo.gp's practice (org-p81002) in this population: pat-000009 and pat-000025;
    // give the second a repeat medicine so the choice has one to find.
    await platform.resources.create('MedicationRequest', {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/pat-000025' },
      medicationCodeableConcept: { text: 'Ramipril 5mg capsules' },
      courseOfTherapyType: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' },
        ],
      },
    });
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
      'demo.commissioner',
      'demo.patient',
      'demo.carer',
      'demo.admin',
    ]);
    expect(logins.every((l) => l.password)).toBe(true);
    const store = new AuthStore(platform.db);
    const gp = (await store.userByLogin('demo.gp'))!;
    expect((await store.roleProfiles(gp.id)).map((p) => `${p.roleCode}@${p.organizationId}`)).toEqual([
      'R8000@org-p81002',
      'R8000@org-8wl01',
    ]);
    const roles = async (name: string) =>
      (await store.roleProfiles((await store.userByLogin(name))!.id)).map((p) => p.roleCode);
    expect(await roles('demo.nurse')).toEqual(['R8001']);
    expect(await roles('demo.socialworker')).toEqual(['R8003']);
    expect(await roles('demo.privacy')).toEqual(['R0001']);
    expect(await roles('demo.commissioner')).toEqual(['R8012']);
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
    expect(again).toHaveLength(9);
    expect(again.every((l) => l.password === undefined)).toBe(true);
  });
});
