/**
 * A clinical author publishes a new version of a protocol: it is validated, numbered, published as a
 * PlanDefinition and listed; an enrolled patient stays on their version (asked and judged as before)
 * and their clinician gets a review task and a notification; moving the CarePlan to the new version
 * moves the patient. Only clinicians and nurses may publish.
 */
import type { CarePlan, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../../access/testing/scenario.ts';
import { inboxTestApp, type InboxTestApp } from '../../notifications/testing/fixtures.ts';
import type { TestApp } from '../../testing/app.ts';
import { AGREEMENT_EXTENSION } from '../enrolment/careplan.ts';
import { EnrolmentRepository } from '../enrolment/enrolment.repository.ts';
import { copd } from './library/copd.ts';

let t: TestApp;
let inbox: InboxTestApp;
const PHONE = '+447700900551';
const PLAN = 'authoring-p1';

function plan(version: number): CarePlan {
  return {
    resourceType: 'CarePlan',
    id: PLAN,
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: [`https://careweave.example/fhir/PlanDefinition/telehealth-copd|${version}`],
    subject: { reference: 'Patient/p1' },
    author: { reference: `Practitioner/${ACTORS.gp.practitionerId}` },
    period: { start: new Date(Date.now() - 86_400_000).toISOString() },
    extension: [{ url: AGREEMENT_EXTENSION, valueDateTime: new Date().toISOString() }],
  };
}

/**
 * Makes the enrolment due and sends what is due. The app's every-minute prompt job may claim the
 * enrolment first (claims skip each other's rows), so wait for the newer message whoever sent it.
 */
async function promptNow(): Promise<string> {
  const newest = async () =>
    (
      await t.platform.db.query<{ id: number; body: string }>(
        `select id, body from sms_message where direction = 'out' and phone = $1 order by id desc limit 1`,
        [PHONE],
      )
    )[0];
  const before = (await newest())?.id ?? 0;
  await t.platform.db.query(
    `update telehealth_enrolment set next_prompt_at = now() - interval '1 minute' where care_plan_id = $1`,
    [PLAN],
  );
  await t.app.modules.use('telehealth').sendDuePrompts();
  await expect.poll(async () => Number((await newest())?.id ?? 0), { timeout: 20_000 }).toBeGreaterThan(Number(before));
  return (await newest())!.body;
}

const edited = {
  ...copd,
  prompts: copd.prompts.map((p, i) =>
    i === 0 ? { ...p, text: 'Version two: please send your oxygen and pulse.' } : p,
  ),
  replies: { ...copd.replies, green: 'Thank you (version two).' },
};

beforeAll(async () => {
  inbox = await inboxTestApp();
  t = inbox.t;
  const p1 = JSON.parse((await t.platform.resources.read('Patient', 'p1')).json ?? '{}') as Patient;
  await t.platform.resources.update('Patient', 'p1', { ...p1, telecom: [{ system: 'sms', value: PHONE }] });
  await t.platform.resources.update('CarePlan', PLAN, plan(1));
  await t.app.modules.use('telehealth').enrolFromPlan(plan(1));
});
afterAll(async () => t.close());

describe('publishing a protocol version', () => {
  it('publishes the next version, says what changed and asks the patient’s clinician to review', async () => {
    const response = await inbox.api(ACTORS.gp, 'POST', '/api/telehealth/protocols', edited);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ planDefinition: 'PlanDefinition/telehealth-copd-v2', reviews: 1 });
    expect(response.body.protocol.version).toBe(2);
    expect(response.body.changes.join('\n')).toMatch(/Reply to a green reading: "Thank you \(version two\)\."/);
    const published = await t.fhir('GET', 'PlanDefinition/telehealth-copd-v2');
    expect(published.body).toMatchObject({ version: '2', author: [{ name: expect.any(String) }] });
    const list = await inbox.api(ACTORS.gp, 'GET', '/api/telehealth/protocols');
    expect(list.body.protocols.find((p: any) => p.id === 'copd')).toMatchObject({
      version: 2,
      versions: [1, 2],
      source: 'local',
    });
    const v1 = await inbox.api(ACTORS.gp, 'GET', '/api/telehealth/protocols/copd?version=1');
    expect(v1.body.replies.green).toBe(copd.replies.green);
    const review = await t.fhir('GET', 'Task?patient=Patient/p1&code=telehealth-protocol-review');
    expect(review.body.entry).toHaveLength(1);
    expect(review.body.entry[0].resource).toMatchObject({
      focus: { reference: `CarePlan/${PLAN}` },
      owner: { reference: `Practitioner/${ACTORS.gp.practitionerId}` },
    });
    const notices = await inbox.api(ACTORS.gp, 'GET', '/api/notifications?status=unread');
    expect(notices.body.items.some((n: any) => /version 2 to review/.test(n.title))).toBe(true);
  });

  it('leaves an enrolled patient on their version until their clinician moves them', async () => {
    expect(await promptNow()).toBe(copd.prompts[0]!.text);
    expect((await new EnrolmentRepository(t.platform.db).get(PLAN))!.protocolVersion).toBe(1);
    await t.platform.resources.update('CarePlan', PLAN, plan(2));
    await t.app.modules.use('telehealth').enrolFromPlan(plan(2));
    expect((await new EnrolmentRepository(t.platform.db).get(PLAN))!.protocolVersion).toBe(2);
    expect(await promptNow()).toBe('Version two: please send your oxygen and pulse.');
  });

  it('numbers versions without gaps: the next one is 3', async () => {
    const response = await inbox.api(ACTORS.gp, 'POST', '/api/telehealth/protocols', { ...edited, version: 99 });
    expect(response.body.protocol.version).toBe(3);
  });

  it('refuses an invalid protocol, naming the field, and publishes nothing', async () => {
    const { replies: _dropped, ...noReplies } = edited;
    const response = await inbox.api(ACTORS.gp, 'POST', '/api/telehealth/protocols', noReplies);
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].expression).toEqual(['replies']);
    expect((await t.fhir('GET', 'PlanDefinition/telehealth-copd-v4')).status).toBe(404);
  });

  it('lets only clinicians and nurses publish', async () => {
    for (const actor of [ACTORS.socialClerk, ACTORS.patient1]) {
      const response = await inbox.api(actor, 'POST', '/api/telehealth/protocols', { ...edited, id: 'copd-x' });
      expect(response.status).toBe(403);
    }
    expect((await t.fhir('GET', 'PlanDefinition/telehealth-copd-x-v1')).status).toBe(404);
  });
});
