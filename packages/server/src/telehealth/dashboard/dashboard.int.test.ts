/**
 * The team dashboard as real staff use it (on PGlite and PostgreSQL): the dashboard red first with
 * its filters, the patient view, the alert inbox and its actions as FHIR writes, and the summary
 * Composition filed through `CarePlan/$telehealth-summary`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ACTORS } from '../../access/testing/scenario.ts';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { dashboardTestApp, type DashboardTestApp } from './testing.ts';

let d: DashboardTestApp;
beforeAll(async () => {
  d = await dashboardTestApp();
}, 120_000);
afterAll(async () => d?.close());

const gp = (method: 'GET' | 'POST', url: string, body?: unknown) => d.api(ACTORS.gp, method, url, body);

describe('GET /api/telehealth/dashboard', () => {
  it('lists the patients the GP may see, red first, with latest reading, alerts and engagement', async () => {
    const response = await gp('GET', '/api/telehealth/dashboard');
    expect(response.status).toBe(200);
    const rows = response.body.patients;
    expect(rows.map((row: any) => row.carePlan)).toEqual([`CarePlan/${d.copdPlan}`, `CarePlan/${d.bpPlan}`]);
    const [copd, bp] = rows;
    expect(copd).toMatchObject({
      patient: { reference: 'Patient/p1' },
      protocol: { id: 'copd', version: 1 },
      status: 'active',
      mine: true,
      level: 'red',
      openAlerts: 1,
      latest: { level: 'red' },
    });
    expect(copd.latest.reason).toMatch(/88/);
    // The two prompts the test forced fall in one round of the timetable: answered once.
    expect(copd.engagement.repliesReceived).toBe(1);
    expect(copd.engagement.promptsSent).toBeGreaterThan(0);
    expect(copd.engagement.lastReplyAt).not.toBeNull();
    expect(copd.engagement.droppedOff).toBe(false);
    expect(bp).toMatchObject({ mine: false, level: 'green', openAlerts: 0, latest: { display: '72 /min' } });
  });

  it.each([
    ['?level=red', ['copd']],
    ['?level=green', ['home-bp']],
    ['?mine=true', ['copd']],
    ['?protocol=home-bp', ['home-bp']],
  ])('filters %s', async (query, protocols) => {
    const response = await gp('GET', `/api/telehealth/dashboard${query}`);
    expect(response.body.patients.map((row: any) => row.protocol.id)).toEqual(protocols);
  });

  it('refuses an unknown level with an OperationOutcome', async () => {
    const response = await gp('GET', '/api/telehealth/dashboard?level=purple');
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });
});

describe('GET /api/telehealth/patients/:id', () => {
  it('gives series for charts, the messages both ways, alerts and engagement', async () => {
    const response = await gp('GET', '/api/telehealth/patients/p1');
    expect(response.status).toBe(200);
    const view = response.body;
    expect(view.patient.reference).toBe('Patient/p1');
    expect(view.plans[0]).toMatchObject({ carePlan: `CarePlan/${d.copdPlan}`, protocol: { id: 'copd' } });
    const spo2 = view.series.find((s: any) => s.measure === '59408-5');
    expect(spo2.readings.map((r: any) => r.values[0].value)).toEqual([95, 86]);
    expect(view.messages.some((m: any) => m.direction === 'in' && m.text === '86 124')).toBe(true);
    expect(view.messages.some((m: any) => m.direction === 'out')).toBe(true);
    expect(view.alerts[0]).toMatchObject({ level: 'red', status: 'requested' });
  });
});

describe('the alert inbox', () => {
  let id: string;

  it('lists open alerts with the patient’s name and reason', async () => {
    const response = await gp('GET', '/api/telehealth/alerts');
    expect(response.status).toBe(200);
    const [alert] = response.body.alerts;
    expect(alert).toMatchObject({ level: 'red', status: 'requested', patient: { reference: 'Patient/p1' } });
    expect(alert.reason).toMatch(/Oxygen below 88%/);
    id = alert.id;
  });

  it('acknowledges: in progress, owned by the caller', async () => {
    const response = await gp('POST', `/api/telehealth/alerts/${id}/acknowledge`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'in-progress', owner: `Practitioner/${ACTORS.gp.practitionerId}` });
  });

  it('adds a note, and refuses an empty one naming the field', async () => {
    const empty = await gp('POST', `/api/telehealth/alerts/${id}/notes`, { text: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.body.issue[0].expression).toEqual(['note']);
    const response = await gp('POST', `/api/telehealth/alerts/${id}/notes`, { text: 'Reviewed readings' });
    expect(response.body.notes.map((n: any) => n.text)).toEqual(['Reviewed readings']);
  });

  it('records a call back as a Communication in the record and a note', async () => {
    const response = await gp('POST', `/api/telehealth/alerts/${id}/call-back`, {
      outcome: 'reached',
      text: 'Using rescue pack',
    });
    expect(response.status).toBe(200);
    expect(response.body.notes.at(-1).text).toBe('Call back: spoke to the patient. Using rescue pack');
    const calls = await d.t.fhir('GET', `Communication?category=telehealth-call&subject=Patient/p1`);
    expect(calls.body.entry[0].resource).toMatchObject({
      sender: { reference: `Practitioner/${ACTORS.gp.practitionerId}` },
      about: [{ reference: `Task/${id}` }],
    });
  });

  it('closes: the Task completed and its Flag inactive; a second close is a conflict', async () => {
    const response = await gp('POST', `/api/telehealth/alerts/${id}/close`, { note: 'Plan agreed' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('completed');
    const flags = await d.t.fhir('GET', 'Flag?patient=Patient/p1');
    const statuses = flags.body.entry.filter((e: any) => e.resource.resourceType === 'Flag');
    expect(statuses.map((e: any) => e.resource.status)).toEqual(['inactive']);
    expect((await gp('POST', `/api/telehealth/alerts/${id}/close`, {})).status).toBe(409);
    expect((await gp('GET', '/api/telehealth/alerts')).body.alerts).toEqual([]);
  });
});

describe('POST CarePlan/{id}/$telehealth-summary', () => {
  it('files a valid summary Composition authored by the caller, and returns it', async () => {
    const response = await actorClient(d.t).as(ACTORS.gp, 'POST', `CarePlan/${d.copdPlan}/$telehealth-summary`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'days', valueInteger: 30 }],
    });
    expect(response.status).toBe(201);
    const composition = response.body;
    expect(composition).toMatchObject({
      resourceType: 'Composition',
      status: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '34133-9' }] },
      subject: { reference: 'Patient/p1' },
      author: [{ reference: `Practitioner/${ACTORS.gp.practitionerId}` }],
    });
    expect(validateFhirResource(composition).filter((i) => i.severity === 'error')).toEqual([]);
    const text = JSON.stringify(composition.section);
    expect(text).toMatch(/lowest 86 %, highest 95 %/);
    expect(text).toMatch(/Oxygen below 88%.*closed/);
    expect(text).toMatch(/response rate/);
    const stored = await d.t.fhir('GET', `Composition/${composition.id}`);
    expect(stored.status).toBe(200);
  });

  it('refuses days out of range naming the parameter', async () => {
    const response = await actorClient(d.t).as(ACTORS.gp, 'POST', `CarePlan/${d.copdPlan}/$telehealth-summary`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'days', valueInteger: 0 }],
    });
    expect(response.status).toBe(400);
    expect(response.body.issue[0].expression).toEqual(['Parameters.parameter[days]']);
  });
});
