/**
 * The platform's proof (issue 9): an HL7 v2 A01 over MLLP is acknowledged, creates the inpatient
 * Encounter, and the patient's GP — signed in as themselves — finds the admission in their inbox,
 * with a text on their mobile that names no one. Other staff at the practice and other kinds of
 * visit tell nobody.
 */
import type { Organization, Patient, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ORGANISATION_TYPE_SYSTEM, type StaffActor } from '../access/actor.ts';
import { actorClient } from '../access/testing/actor-client.ts';
import { eventually } from '../events/testing.ts';
import { NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';
import { adt, seedOrganisation, testNhsNumber } from '../hl7v2/testing/fixtures.ts';
import { MllpClient, readAck } from '../hl7v2/testing/mllp-client.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { ADMISSION_SMS } from './alert.ts';
import { hl7DaysAgo } from './testing/people.ts';

let t: TestApp;
let mllp: MllpClient;
let gp: StaffActor;
let receptionist: StaffActor;
let patient: Patient;
const nhsNumber = testNhsNumber(91, 3);
const ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/practitioner-role';
// An admission this morning (an old one is history, and tells nobody).
const ADMITTED = hl7DaysAgo(0.2);
const ADMITTED_ON = `${ADMITTED.slice(0, 4)}-${ADMITTED.slice(4, 6)}-${ADMITTED.slice(6, 8)}`;

async function create<T extends { resourceType: string }>(resource: T): Promise<T & { id: string }> {
  return (await t.platform.resources.create(resource.resourceType, resource as never)).resource as T & { id: string };
}

/** A member of the practice with an account and one role profile. */
async function staff(practice: string, role: { code?: string; text: string }, rbac: string, mobile?: string) {
  const practitioner = await create<Practitioner>({
    resourceType: 'Practitioner',
    active: true,
    name: [{ given: ['Test'], family: role.text }],
    ...(mobile ? { telecom: [{ system: 'phone', value: mobile, use: 'mobile' }] } : {}),
  });
  await create<PractitionerRole>({
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: `Practitioner/${practitioner.id}` },
    organization: { reference: `Organization/${practice}` },
    code: [role.code ? { coding: [{ system: ROLE_SYSTEM, code: role.code }], text: role.text } : { text: role.text }],
  });
  const userId = `user-${practitioner.id}`;
  await t.platform.db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2)`, [
    userId,
    `Practitioner/${practitioner.id}`,
  ]);
  await t.platform.db.query(
    `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, $4)`,
    [`profile-${userId}`, userId, practice, rbac],
  );
  return {
    kind: 'staff',
    userId,
    practitionerId: practitioner.id,
    organizationId: practice,
    organizationType: 'gp-practice',
    roleCode: rbac,
    scopes: ['user/*.cruds'],
  } satisfies StaffActor;
}

beforeAll(async () => {
  t = await createTestApp({ CAREWEAVE_MLLP_PORT: '0' });
  await t.app.ready();
  await seedOrganisation(t.platform.resources, 'RVY01', 'Ormskirk Hospital');
  const practice = await create<Organization>({
    resourceType: 'Organization',
    name: 'Beacon Surgery',
    active: true,
    type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'gp-practice' }] }],
  });
  // The hospital shares admissions with the practice (without an agreement the GP would see none).
  await ensureDemoAgreement(t.platform);
  gp = await staff(practice.id, { code: 'doctor', text: 'GP' }, 'R8000', '07700 900777');
  receptionist = await staff(practice.id, { text: 'Receptionist' }, 'R8010', '07700 900778');
  patient = await create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }],
    name: [{ given: ['Ada'], family: 'Lovelace' }],
    birthDate: '1950-02-03',
    generalPractitioner: [{ reference: `Organization/${practice.id}` }],
  });
  mllp = await MllpClient.connect(t.app.modules.use('hl7v2').listener!.address()!.port);
});

afterAll(async () => {
  await mllp?.close();
  await t?.close();
});

describe('an admission over MLLP reaches the GP', () => {
  test('A01 → AA, the Encounter, the GP’s inbox and a text that names no one', { timeout: 60_000 }, async () => {
    const ack = readAck(
      await mllp.send(
        adt({ event: 'A01', controlId: 'adm-1', nhsNumber, visit: 'V-ADM-1', born: '19500203', admitted: ADMITTED }),
      ),
    );
    expect(ack.code, ack.text).toBe('AA');
    const encounters = await t.fhir('GET', `Encounter?subject=Patient/${patient.id}`);
    expect(encounters.body.entry).toHaveLength(1);
    const encounter = encounters.body.entry[0].resource;
    expect(encounter.class.code).toBe('IMP');

    const client = actorClient(t);
    const asGp = async (url: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${await client.tokenFor(gp)}` },
      });
      return { status: response.statusCode, body: JSON.parse(response.body) };
    };
    let inbox = await asGp('/api/notifications');
    await eventually(async () => {
      inbox = await asGp('/api/notifications');
      return inbox.body.items.length > 0;
    }, 30_000);
    expect(inbox.status).toBe(200);
    expect(inbox.body.unread).toBe(1);
    const [item] = inbox.body.items;
    expect(item).toMatchObject({
      kind: 'admission-notice',
      category: { code: 'admission', display: 'Admission' },
      priority: 'urgent',
      title: 'Ada Lovelace was admitted to hospital',
      subject: { reference: `Patient/${patient.id}`, display: 'Ada Lovelace' },
      about: { reference: `Encounter/${encounter.id}` },
    });
    expect(item.text).toBe(`Ada Lovelace was admitted to Ormskirk Hospital, WARD4, BAY2, BED1 on ${ADMITTED_ON}.`);

    let texts = await asGp(`/api/sms/messages?reference=Communication/${item.id}`);
    await eventually(async () => {
      texts = await asGp(`/api/sms/messages?reference=Communication/${item.id}`);
      return texts.body.messages?.[0]?.status === 'sent';
    }, 30_000);
    expect(texts.body.messages).toHaveLength(1);
    expect(texts.body.messages[0]).toMatchObject({ phone: '+447700900777', body: ADMISSION_SMS, provider: 'loopback' });
    // The phone simulator's view of the GP's phone shows it too.
    const phone = await asGp('/api/sms/messages?phone=07700900777');
    expect(phone.body.messages.map((m: { body: string }) => m.body)).toContain(ADMISSION_SMS);

    // The receptionist (not a doctor) is not told; nor is anyone twice when the sender repeats itself.
    const reception = await t.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: { authorization: `Bearer ${await client.tokenFor(receptionist)}` },
    });
    expect(JSON.parse(reception.body)).toEqual({ unread: 0, items: [] });
    expect(
      readAck(
        await mllp.send(
          adt({ event: 'A01', controlId: 'adm-1', nhsNumber, visit: 'V-ADM-1', born: '19500203', admitted: ADMITTED }),
        ),
      ).code,
    ).toBe('AA');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await asGp('/api/notifications')).body.items).toHaveLength(1);
  });

  test('an outpatient visit (A04, class O) tells nobody', { timeout: 30_000 }, async () => {
    const ack = readAck(
      await mllp.send(
        adt({ event: 'A04', controlId: 'opd-1', nhsNumber, visit: 'V-OPD-1', patientClass: 'O', born: '19500203' }),
      ),
    );
    expect(ack.code).toBe('AA');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rows = await t.platform.db.query(`select 1 from notification where kind = 'admission-notice'`);
    expect(rows).toHaveLength(1);
  });
});
