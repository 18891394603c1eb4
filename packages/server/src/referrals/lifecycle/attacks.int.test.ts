/**
 * Attacks with a valid account (PGlite and PostgreSQL): another practice's GP cannot read or act on a
 * referral and answers 404 as for an id that does not exist; staff of an unrelated trust cannot
 * triage it; a patient cannot accept their own referral; the referrer cannot triage for the provider;
 * no token is 401. Nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../../access/testing/scenario.ts';
import { GP, lifecycleTestApp, OTHER_GP, PATIENT, THE_PATIENT, type LifecycleTestApp } from './testing/fixtures.ts';

let h: LifecycleTestApp;
let draft: string;
let sent: string;
let task: string;
beforeAll(async () => {
  h = await lifecycleTestApp();
  const form = await h.fhirAs(GP, 'POST', 'QuestionnaireResponse', {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: 'https://careweave.example/fhir/Questionnaire/referral-form-msk|1.0.0',
    subject: { reference: `Patient/${PATIENT}` },
    item: [
      { linkId: 'reason', answer: [{ valueString: 'Knee pain for months' }] },
      { linkId: 'duration', answer: [{ valueCoding: { code: 'over-a-year' } }] },
      { linkId: 'tried-physiotherapy', answer: [{ valueBoolean: true }] },
    ],
  });
  const make = async (): Promise<string> => {
    const created = await h.api(GP, 'POST', '/api/referrals/referrals', {
      patientId: PATIENT,
      specialty: 'msk',
      priority: 'routine',
      reason: 'Knee pain for months despite exercise',
      form: form.body.id,
    });
    const id = (created.body.serviceRequest as string).split('/')[1]!;
    await h.api(GP, 'POST', `/api/referrals/referrals/${id}/shortlist`);
    return id;
  };
  draft = await make();
  sent = await make();
  const result = await h.api(GP, 'POST', `/api/referrals/referrals/${sent}/send`, {
    serviceId: 'svc-msk-ras',
    action: 'triage',
  });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  task = (result.body.task as string).split('/')[1]!;
}, 120_000);
afterAll(async () => h?.close());

const version = async (type: string, id: string): Promise<string> =>
  JSON.parse((await h.t.platform.resources.read(type, id)).json ?? '{}').meta.versionId;

describe("another practice's GP", () => {
  it.each([
    [
      'GET',
      'the referral',
      (): string => `/api/referrals/referrals/${draft}`,
      (): string => '/api/referrals/referrals/none',
    ],
    [
      'POST',
      'a shortlist',
      (): string => `/api/referrals/referrals/${draft}/shortlist`,
      (): string => '/api/referrals/referrals/none/shortlist',
    ],
    [
      'POST',
      'a send',
      (): string => `/api/referrals/referrals/${draft}/send`,
      (): string => '/api/referrals/referrals/none/send',
    ],
    [
      'POST',
      'a triage',
      (): string => `/api/referrals/tasks/${task}/triage`,
      (): string => '/api/referrals/tasks/none/triage',
    ],
    [
      'POST',
      'a booking',
      (): string => `/api/referrals/tasks/${task}/book`,
      (): string => '/api/referrals/tasks/none/book',
    ],
  ] as const)('%s %s answers 404, as for an id that does not exist', async (method, _what, url, unknown) => {
    const body = method === 'POST' ? { serviceId: 'svc-msk', action: 'defer', decision: 'accept' } : undefined;
    const before = await version('ServiceRequest', draft);
    const hidden = await h.api(OTHER_GP, method, url(), body);
    const absent = await h.api(OTHER_GP, method, unknown(), body);
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(hidden.body.resourceType).toBe('OperationOutcome');
    expect(await version('ServiceRequest', draft)).toBe(before);
  });

  it('sees nothing on any worklist', async () => {
    for (const name of ['for-review', 'awaiting-booking', 'rejected-or-returned', 'slot-issues']) {
      for (const side of ['referrer', 'provider']) {
        const list = await h.api(OTHER_GP, 'GET', `/api/referrals/worklists/${name}?side=${side}`);
        expect(list.status).toBe(200);
        expect(list.body.items).toEqual([]);
      }
    }
  });
});

describe('others who may not decide a referral', () => {
  it('a patient cannot accept their own referral (403), through the API or the operation', async () => {
    const before = await version('Task', task);
    expect(
      (await h.api(THE_PATIENT, 'POST', `/api/referrals/tasks/${task}/triage`, { decision: 'accept' })).status,
    ).toBe(403);
    const op = await h.fhirAs(THE_PATIENT, 'POST', `Task/${task}/$triage-referral`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'decision', valueCode: 'accept' }],
    });
    expect(op.status).toBe(403);
    expect(await version('Task', task)).toBe(before);
  });

  it('the referrer cannot triage for the provider (403), and staff of an unrelated trust see nothing (404)', async () => {
    expect((await h.api(GP, 'POST', `/api/referrals/tasks/${task}/triage`, { decision: 'accept' })).status).toBe(403);
    expect(
      (await h.api(ACTORS.mhNurse, 'POST', `/api/referrals/tasks/${task}/triage`, { decision: 'accept' })).status,
    ).toBe(404);
    expect((await h.api(ACTORS.mhNurse, 'GET', '/api/referrals/worklists/for-review')).body.items).toEqual([]);
  });

  it('no token is 401', async () => {
    const response = await h.t.app.inject({
      method: 'GET',
      url: '/api/referrals/worklists/for-review',
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(response.statusCode).toBe(401);
  });
});
