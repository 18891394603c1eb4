/**
 * The attacker with a valid account (PGlite and PostgreSQL): a nurse at an unrelated organisation
 * (the mental health trust, no relationship with these patients) sees no referrals, cases, plans,
 * tasks or meetings, and every attempt to act on them answers 404 exactly as for ids that do not
 * exist, changing nothing. A patient is refused the staff API (403); no token is 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../access/testing/actor-client.ts';
import { ACTORS } from '../access/testing/scenario.ts';
import { COORDINATOR, hubTestApp, PATIENT, tomorrow, type HubTestApp } from './testing/fixtures.ts';

let h: HubTestApp;
let referral: string;
let pending: string;
let task: string;
let meeting: string;
beforeAll(async () => {
  h = await hubTestApp();
  const reason = 'Falls and lives alone, needs coordination';
  referral = (await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', { patientId: PATIENT, reason })).body.id;
  await h.api(COORDINATOR, 'POST', `/api/coordination/referrals/${referral}/triage`, {
    decision: 'accept',
    priority: 'routine',
    coordinator: COORDINATOR.practitionerId,
  });
  const plan = await h.api(COORDINATOR, 'POST', `/api/coordination/cases/${PATIENT}/tasks`, {
    description: 'Medicines review',
    role: 'gp',
    organization: 'org-gp',
    due: tomorrow(),
  });
  if (!plan.body.tasks) {
    throw new Error(JSON.stringify(plan.body));
  }
  task = plan.body.tasks[0].id;
  pending = (await h.api(ACTORS.gp, 'POST', '/api/coordination/referrals', { patientId: PATIENT, reason })).body.id;
  meeting = (
    await h.api(COORDINATOR, 'POST', '/api/coordination/meetings', {
      title: 'Weekly MDT',
      start: new Date(Date.now() + 86_400_000).toISOString(),
      patients: [PATIENT],
    })
  ).body.id;
}, 120_000);
afterAll(async () => h?.close());

const versionOf = async (type: string, id: string): Promise<string> =>
  JSON.parse((await h.t.platform.resources.read(type, id)).json ?? '{}').meta.versionId;
const count = async (type: string): Promise<number> => (await h.t.fhir('GET', `${type}?_summary=count`)).body.total;

describe('a nurse at an unrelated organisation', () => {
  const attacker = ACTORS.mhNurse;

  it('sees no referrals, no cases, no tasks and no meetings', async () => {
    expect((await h.api(attacker, 'GET', '/api/coordination/referrals?status=all')).body.referrals).toEqual([]);
    expect((await h.api(attacker, 'GET', '/api/coordination/cases')).body.cases).toEqual([]);
    expect((await h.api(attacker, 'GET', '/api/coordination/tasks')).body.tasks).toEqual([]);
    expect((await h.api(attacker, 'GET', '/api/coordination/meetings')).body.meetings).toEqual([]);
  });

  it.each([
    [
      'GET',
      'the care plan',
      (): string => `/api/coordination/cases/${PATIENT}`,
      (): string => '/api/coordination/cases/nobody',
    ],
    [
      'GET',
      'the meeting',
      (): string => `/api/coordination/meetings/${meeting}`,
      (): string => '/api/coordination/meetings/none',
    ],
  ] as const)('%s %s answers 404, as for an id that does not exist', async (method, _what, url, unknown) => {
    const hidden = await h.api(attacker, method, url());
    const absent = await h.api(attacker, method, unknown());
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(hidden.body.resourceType).toBe('OperationOutcome');
  });

  it('cannot triage, add to the plan, complete a task or record an outcome: 404, nothing written', async () => {
    const before = {
      pending: await versionOf('Task', pending),
      task: await versionOf('Task', task),
      tasks: await count('Task'),
      goals: await count('Goal'),
      communications: await count('Communication'),
      lists: await count('List'),
    };
    const attempts: [string, unknown][] = [
      [`/api/coordination/referrals/${pending}/triage`, { decision: 'reject', reason: 'not today' }],
      [`/api/coordination/cases/${PATIENT}/goals`, { description: 'Sneaky goal' }],
      [
        `/api/coordination/cases/${PATIENT}/tasks`,
        { description: 'Sneaky', role: 'gp', organization: 'org-mh', due: tomorrow() },
      ],
      [`/api/coordination/tasks/${task}/complete`, {}],
      [`/api/coordination/meetings/${meeting}/outcomes`, { patientId: PATIENT, outcome: 'Sneaky outcome' }],
      ['/api/coordination/referrals', { patientId: PATIENT, reason: 'A referral for someone I do not know' }],
    ];
    for (const [url, body] of attempts) {
      const response = await h.api(attacker, 'POST', url, body);
      expect(response.status, url).toBe(404);
    }
    const op = await actorClient(h.t).as(attacker, 'POST', `Task/${pending}/$triage`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'decision', valueCode: 'reject' },
        { name: 'reason', valueString: 'not today' },
      ],
    });
    expect(op.status).toBe(404);
    expect({
      pending: await versionOf('Task', pending),
      task: await versionOf('Task', task),
      tasks: await count('Task'),
      goals: await count('Goal'),
      communications: await count('Communication'),
      lists: await count('List'),
    }).toEqual(before);
  });

  it('does not see the MDT list through FHIR either (owned data)', async () => {
    const response = await actorClient(h.t).as(attacker, 'GET', `List/${meeting}`);
    expect(response.status).toBe(404);
  });
});

describe('a patient and no one', () => {
  it.each([
    ['GET', '/api/coordination/referrals'],
    ['GET', '/api/coordination/cases'],
    ['GET', `/api/coordination/cases/${PATIENT}`],
    ['GET', '/api/coordination/meetings'],
  ] as const)('a patient is refused %s %s (403)', async (method, url) => {
    expect((await h.api(ACTORS.patient1, method, url)).status).toBe(403);
  });

  it('no token is 401', async () => {
    const response = await h.t.app.inject({
      method: 'GET',
      url: '/api/coordination/cases',
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(response.statusCode).toBe(401);
  });
});
