/**
 * The attacker's view of the team dashboard (on PGlite and PostgreSQL): a nurse at another
 * organisation sees none of these patients, and her attempts on their alerts and summaries answer
 * 404 exactly as for ids that do not exist, changing nothing; a patient is refused the staff API
 * (403) and nobody without a token gets in (401). A Task that is not a telehealth alert is not
 * this API's to change, even for staff who may see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ACTORS } from '../../access/testing/scenario.ts';
import { dashboardTestApp, type DashboardTestApp } from './testing.ts';

let d: DashboardTestApp;
let alertId: string;
beforeAll(async () => {
  d = await dashboardTestApp();
  alertId = (await d.api(ACTORS.gp, 'GET', '/api/telehealth/alerts')).body.alerts[0].id;
}, 120_000);
afterAll(async () => d?.close());

const versionOf = async (type: string, id: string): Promise<string> =>
  JSON.parse((await d.t.platform.resources.read(type, id)).json ?? '{}').meta.versionId;
const count = async (type: string): Promise<number> => (await d.t.fhir('GET', `${type}?_summary=count`)).body.total;

const ACTIONS: [string, unknown][] = [
  ['acknowledge', undefined],
  ['notes', { text: 'sneaky' }],
  ['call-back', { outcome: 'reached' }],
  ['close', {}],
];

describe('a nurse at another organisation (mental health trust, no relationship)', () => {
  const nurse = ACTORS.mhNurse;

  it('sees none of these patients on the dashboard, and no alerts', async () => {
    const dashboard = await d.api(nurse, 'GET', '/api/telehealth/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.patients).toEqual([]);
    const alerts = await d.api(nurse, 'GET', '/api/telehealth/alerts');
    expect(alerts.body.alerts).toEqual([]);
  });

  it('gets 404 for the patient view, as for a patient that does not exist', async () => {
    expect((await d.api(nurse, 'GET', '/api/telehealth/patients/p1')).status).toBe(404);
    expect((await d.api(nurse, 'GET', '/api/telehealth/patients/nobody')).status).toBe(404);
  });

  it.each(ACTIONS)('cannot %s their alert: 404 as for an unknown id, and nothing changes', async (action, body) => {
    const before = await versionOf('Task', alertId);
    const communications = await count('Communication');
    const hidden = await d.api(nurse, 'POST', `/api/telehealth/alerts/${alertId}/${action}`, body);
    const unknown = await d.api(nurse, 'POST', `/api/telehealth/alerts/no-such-task/${action}`, body);
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(hidden.body.resourceType).toBe('OperationOutcome');
    expect(await versionOf('Task', alertId)).toBe(before);
    expect(await count('Communication')).toBe(communications);
  });

  it('cannot file a summary for them: 404, and no Composition is written', async () => {
    const before = await count('Composition');
    const response = await actorClient(d.t).as(nurse, 'POST', `CarePlan/${d.copdPlan}/$telehealth-summary`, {
      resourceType: 'Parameters',
    });
    expect(response.status).toBe(404);
    expect(await count('Composition')).toBe(before);
  });
});

describe('a patient', () => {
  it.each([
    ['GET', '/api/telehealth/dashboard'],
    ['GET', '/api/telehealth/alerts'],
    ['GET', '/api/telehealth/patients/p1'],
    ['POST', `/api/telehealth/alerts/ALERT/acknowledge`],
  ] as const)('is refused %s %s (403)', async (method, url) => {
    const response = await d.api(ACTORS.patient1, method, url.replace('ALERT', alertId));
    expect(response.status).toBe(403);
  });

  it('cannot file a summary of their own plan', async () => {
    const response = await actorClient(d.t).as(ACTORS.patient1, 'POST', `CarePlan/${d.copdPlan}/$telehealth-summary`, {
      resourceType: 'Parameters',
    });
    expect(response.status).toBe(403);
  });
});

describe('no one signed in', () => {
  it('is refused (401)', async () => {
    const response = await d.t.app.inject({
      method: 'GET',
      url: '/api/telehealth/dashboard',
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(response.statusCode).toBe(401);
  });
});

describe('staff who may see the patient', () => {
  it('cannot use the alert actions on a Task that is not a telehealth alert (404)', async () => {
    const other = await d.t.platform.resources.create('Task', {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      for: { reference: 'Patient/p1' },
      description: 'Something else',
    });
    const response = await d.api(ACTORS.gp, 'POST', `/api/telehealth/alerts/${other.resource.id}/close`, {});
    expect(response.status).toBe(404);
    expect(await versionOf('Task', other.resource.id!)).toBe('1');
  });
});
