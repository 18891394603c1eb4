/**
 * Practice SMS end to end through the real SMS module (loopback gateway), on PGlite and PostgreSQL:
 * a reminder once per appointment, CANCEL (bare and in words) cancels only the reminded appointment
 * and frees its slot, a duplicate callback acts once, a CANCEL from a number never reminded cancels
 * nothing, replies become the practice's conversation, recalls, results texts, templates — and
 * another practice's receptionist sees none of it.
 */
import type { Appointment, Patient, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../access/actor.ts';
import { ACTORS } from '../access/testing/scenario.ts';
import { inboxTestApp, type InboxTestApp } from '../notifications/testing/fixtures.ts';
import type { TestApp } from '../testing/app.ts';
import { CLINICAL_TEXTS_EXTENSION } from './results.service.ts';

let inbox: InboxTestApp;
let t: TestApp;
const P1 = '+447700900501';
const P2 = '+447700900502';
const STRANGER = '+447700900777';
const HOUR = 3_600_000;
let counter = 0;

const clerk = (id: string, org: string): StaffActor => ({
  kind: 'staff',
  userId: `user-${id}`,
  practitionerId: `pr-${id}`,
  organizationId: org,
  organizationType: 'gp-practice',
  roleCode: 'R8010',
  scopes: ['user/*.cruds'],
});
const reception = clerk('ps-reception', 'org-gp');
const otherReception = clerk('ps-reception2', 'org-gp2');

async function text(from: string, body: string, id = `ps-${++counter}`): Promise<string> {
  return t.app.modules.use('sms').receive({ provider: 'loopback', providerMessageId: id, from, body });
}

async function sentTo(phone: string): Promise<{ body: string; reference: string | null }[]> {
  return t.platform.db.query(
    `select body, reference from sms_message where direction = 'out' and phone = $1 order by id`,
    [phone],
  );
}

async function read<T>(type: string, id: string): Promise<T> {
  return JSON.parse((await t.platform.resources.read(type, id)).json ?? '{}') as T;
}

async function withMobile(id: string, mobile: string): Promise<void> {
  const patient = await read<Patient>('Patient', id);
  await t.platform.resources.update('Patient', id, {
    ...patient,
    name: [{ given: [id === 'p1' ? 'Pat' : 'Sam'], family: 'One' }],
    telecom: [{ system: 'phone', use: 'mobile', value: `0${mobile.slice(3, 7)} ${mobile.slice(7)}` }],
  });
}

/** A booked appointment at org-gp in `hours`, holding a slot of its own (booking takes the free slot). */
async function appointment(patientId: string, hours: number): Promise<{ id: string; slotId: string }> {
  const start = new Date(Date.now() + hours * HOUR);
  const end = new Date(start.getTime() + 15 * 60_000);
  const slot = (
    await t.platform.resources.create('Slot', {
      resourceType: 'Slot',
      meta: { source: 'Organization/org-gp' },
      schedule: { reference: 'Schedule/ps-schedule' },
      status: 'free',
      start: start.toISOString(),
      end: end.toISOString(),
    } satisfies Slot)
  ).resource as Slot;
  const booked = (
    await t.platform.resources.create('Appointment', {
      resourceType: 'Appointment',
      meta: { source: 'Organization/org-gp' },
      status: 'booked',
      start: start.toISOString(),
      end: end.toISOString(),
      slot: [{ reference: `Slot/${slot.id}` }],
      participant: [{ actor: { reference: `Patient/${patientId}` }, status: 'accepted' }],
    } satisfies Appointment)
  ).resource as Appointment;
  return { id: booked.id!, slotId: slot.id! };
}

beforeAll(async () => {
  inbox = await inboxTestApp();
  t = inbox.t;
  await withMobile('p1', P1);
  await withMobile('p2', P2);
  await t.platform.resources.update('Schedule', 'ps-schedule', {
    resourceType: 'Schedule',
    id: 'ps-schedule',
    meta: { source: 'Organization/org-gp' },
    actor: [{ reference: 'Organization/org-gp' }],
  });
}, 60_000);
afterAll(async () => inbox.close());

describe('templates', () => {
  it('refuses an unknown merge field with an OperationOutcome naming it', async () => {
    const refused = await inbox.api(reception, 'PUT', '/api/practice-sms/templates/reminder', {
      body: 'Hello {{firstName}}, NHS number {{nhsNumber}}',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.body.issue[0].diagnostics).toMatch(/\{\{nhsNumber\}\}/);
  });

  it('previews a template with its length in SMS parts, and saves it for the practice only', async () => {
    const preview = await inbox.api(reception, 'POST', '/api/practice-sms/templates/recall/preview', {
      body: 'Hi {{firstName}}, please book your {{review}}.',
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ text: 'Hi Alex, please book your asthma review.', parts: 1 });
    const saved = await inbox.api(reception, 'PUT', '/api/practice-sms/templates/recall', {
      body: 'Hello {{firstName}}, please book your annual {{review}} with {{practiceName}}.',
    });
    expect(saved.status).toBe(200);
    const theirs = await inbox.api(otherReception, 'GET', '/api/practice-sms/templates');
    expect(theirs.body.templates.find((x: any) => x.kind === 'recall').custom).toBe(false);
  });
});

describe('appointment reminders and reply-to-cancel', () => {
  let reminded: { id: string; slotId: string };
  let later: { id: string; slotId: string };

  it('texts a booked appointment in the window once, and not one outside it', async () => {
    const settings = await inbox.api(reception, 'PUT', '/api/practice-sms/reminders/settings', {
      remindersEnabled: true,
      windowFromHours: 24,
      windowToHours: 48,
    });
    expect(settings.status).toBe(200);
    reminded = await appointment('p1', 30);
    later = await appointment('p1', 100);
    const service = t.app.modules.use('practice-sms').reminders;
    expect(await service.sendDue()).toBe(1);
    expect(await service.sendDue()).toBe(0);
    const texts = await sentTo(P1);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.reference).toBe(`Appointment/${reminded.id}`);
    expect(texts[0]!.body).toMatch(/^Hello Pat, a reminder of your appointment at .* Reply CANCEL/);
    const list = await inbox.api(reception, 'GET', '/api/practice-sms/reminders');
    expect(list.body.reminders.map((r: any) => r.appointmentId)).toEqual([reminded.id]);
  });

  it('a CANCEL from a number that never got a reminder cancels nothing (and opts it out, as before)', async () => {
    expect(await text(STRANGER, 'CANCEL')).toBe('opted-out');
    expect((await read<Appointment>('Appointment', reminded.id)).status).toBe('booked');
    await text(P2, 'cancel please');
    expect((await read<Appointment>('Appointment', reminded.id)).status).toBe('booked');
  });

  it('CANCEL from the reminded number cancels only the reminded appointment, frees its slot, and confirms', async () => {
    expect(await text(P1, 'CANCEL', 'ps-cancel')).toBe('received');
    const cancelled = await read<Appointment>('Appointment', reminded.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelationReason?.text).toBe('patient');
    expect((await read<Slot>('Slot', reminded.slotId)).status).toBe('free');
    expect((await read<Appointment>('Appointment', later.id)).status).toBe('booked');
    expect((await read<Slot>('Slot', later.slotId)).status).toBe('busy');
    expect((await sentTo(P1)).at(-1)!.body).toMatch(/is cancelled/);
    const optedOut = await t.platform.db.query('select 1 from sms_opt_out where phone = $1', [P1]);
    expect(optedOut).toHaveLength(0);
  });

  it('a repeated callback (same provider id) acts once', async () => {
    const before = (await sentTo(P1)).length;
    expect(await text(P1, 'CANCEL', 'ps-cancel')).toBe('duplicate');
    expect(await sentTo(P1)).toHaveLength(before);
    const list = await inbox.api(reception, 'GET', '/api/practice-sms/reminders');
    expect(list.body.reminders[0].status).toBe('cancelled-by-reply');
  });
});

describe('two-way conversations', () => {
  it('a reply to a practice text goes to the practice inbox and the patient’s record', async () => {
    await text(P1, 'Thank you, I will rebook next week');
    const list = await inbox.api(reception, 'GET', '/api/practice-sms/conversations');
    expect(list.status).toBe(200);
    const p1 = list.body.conversations.find((c: any) => c.phone === P1);
    expect(p1.patientId).toBe('p1');
    const thread = await inbox.api(reception, 'GET', `/api/practice-sms/conversations/${encodeURIComponent(P1)}`);
    expect(thread.body.messages.map((m: any) => m.body)).toContain('Thank you, I will rebook next week');
    expect(thread.body.messages[0].kind).toBe('reminder');
    const comms = await t.fhir('GET', 'Communication?subject=Patient/p1&category=practice-sms');
    expect(comms.body.entry.length).toBeGreaterThanOrEqual(3);
  });

  it('staff reply from the inbox; the text is sent as the practice', async () => {
    const reply = await inbox.api(
      reception,
      'POST',
      `/api/practice-sms/conversations/${encodeURIComponent(P1)}/reply`,
      {
        body: 'Thanks Pat, see you then.',
      },
    );
    expect(reply.status).toBe(200);
    expect((await sentTo(P1)).at(-1)!.body).toBe('Thanks Pat, see you then.');
    const empty = await inbox.api(
      reception,
      'POST',
      `/api/practice-sms/conversations/${encodeURIComponent(P1)}/reply`,
      {
        body: ' ',
      },
    );
    expect(empty.status).toBe(400);
  });

  it('a registered patient’s first text starts a conversation; once on telehealth, their texts are telehealth’s', async () => {
    const thread = await inbox.api(reception, 'GET', `/api/practice-sms/conversations/${encodeURIComponent(P2)}`);
    expect(thread.status).toBe(200);
    expect(thread.body.messages.map((m: any) => m.body)).toContain('cancel please');
    expect((await sentTo(P2)).at(-1)!.body).toMatch(/passed to the practice team/);
    await t.platform.resources.create('CarePlan', {
      resourceType: 'CarePlan',
      status: 'active',
      intent: 'plan',
      subject: { reference: 'Patient/p2' },
      instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|1'],
      period: { start: new Date().toISOString() },
      extension: [
        {
          url: 'https://careweave.example/fhir/StructureDefinition/telehealth-agreement',
          valueDateTime: new Date().toISOString(),
        },
      ],
    });
    await text(P2, '94 80');
    const after = await inbox.api(reception, 'GET', `/api/practice-sms/conversations/${encodeURIComponent(P2)}`);
    expect(after.body.messages.map((m: any) => m.body)).not.toContain('94 80');
  });

  it('an unknown number’s text is not the practice’s (telehealth answers it neutrally)', async () => {
    await text('+447700900778', 'hello?');
    const list = await inbox.api(reception, 'GET', '/api/practice-sms/conversations');
    expect(list.body.conversations.some((c: any) => c.phone === '+447700900778')).toBe(false);
    expect((await sentTo('+447700900778')).at(-1)!.body).toMatch(/not linked to a CareWeave service/);
  });
});

describe('recalls', () => {
  it('previews who would be texted (demographics only) and sends to them', async () => {
    await t.platform.resources.create('Condition', {
      resourceType: 'Condition',
      meta: { source: 'Organization/org-gp' },
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '195967001', display: 'Asthma' }] },
    });
    const preview = await inbox.api(reception, 'POST', '/api/practice-sms/recalls/preview', { review: 'asthma' });
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(1);
    expect(preview.body.candidates).toEqual([
      { patientId: 'p1', name: 'Pat One', nhsNumber: null, mobile: P1, excluded: null },
    ]);
    const unknown = await inbox.api(reception, 'POST', '/api/practice-sms/recalls/preview', { review: 'everything' });
    expect(unknown.status).toBe(400);
    const sent = await inbox.api(reception, 'POST', '/api/practice-sms/recalls', { review: 'asthma' });
    expect(sent.status).toBe(200);
    expect(sent.body.sentCount).toBe(1);
    expect((await sentTo(P1)).at(-1)!.body).toMatch(/annual asthma review/);
  });

  it('“not reviewed in 12 months” leaves out only a review at the practice, for this condition, in the window', async () => {
    const asthma = (await t.fhir('GET', 'Condition?subject=Patient/p1&code=http://snomed.info/sct|195967001')).body
      .entry[0].resource.id as string;
    const diabetes = (
      await t.platform.resources.create('Condition', {
        resourceType: 'Condition',
        meta: { source: 'Organization/org-gp' },
        subject: { reference: 'Patient/p1' },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes type 2' }] },
      })
    ).resource.id!;
    const review = async (org: string, monthsAgo: number, reason?: string): Promise<void> => {
      const start = new Date();
      start.setUTCMonth(start.getUTCMonth() - monthsAgo);
      await t.platform.resources.create('Encounter', {
        resourceType: 'Encounter',
        meta: { source: `Organization/${org}` },
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        type: [
          { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/encounter-type', code: 'ltc-review' }] },
        ],
        subject: { reference: 'Patient/p1' },
        period: { start: start.toISOString(), end: new Date(start.getTime() + 1_200_000).toISOString() },
        serviceProvider: { reference: `Organization/${org}` },
        ...(reason ? { reasonReference: [{ reference: `Condition/${reason}` }] } : {}),
      });
    };
    const preview = async (notReviewedRecently?: unknown) =>
      inbox.api(reception, 'POST', '/api/practice-sms/recalls/preview', { review: 'asthma', notReviewedRecently });
    // Not reviews that count: 13 months ago, at another practice, for diabetes only, for no condition.
    await review('org-gp', 13, asthma);
    await review('org-gp', 1);
    await review('org-gp2', 1, asthma);
    await review('org-gp', 1, diabetes);
    const still = await preview(true);
    expect(still.status).toBe(200);
    expect(still.body.candidates).toEqual([
      expect.objectContaining({ patientId: 'p1', excluded: null, lastReviewed: null }),
    ]);
    // An asthma review at the practice 2 months ago leaves p1 out, and the preview says why.
    await review('org-gp', 2, asthma);
    const left = await preview(true);
    expect(left.body.count).toBe(0);
    expect(left.body.notReviewedRecently).toBe(true);
    expect(left.body.candidates).toEqual([
      expect.objectContaining({ patientId: 'p1', excluded: 'reviewed in the last 12 months' }),
    ]);
    expect(Date.now() - Date.parse(left.body.candidates[0].lastReviewed)).toBeLessThan(75 * 24 * HOUR);
    // Without the criterion nothing changes; a bad value is refused.
    expect((await preview()).body.candidates[0].excluded).toBeNull();
    expect((await preview('yes')).status).toBe(400);
    const sent = await inbox.api(reception, 'POST', '/api/practice-sms/recalls', {
      review: 'asthma',
      notReviewedRecently: true,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.sentCount).toBe(0);
    // Another practice's reviewer sees nothing of p1 either way.
    const theirs = await inbox.api(otherReception, 'POST', '/api/practice-sms/recalls/preview', {
      review: 'asthma',
      notReviewedRecently: true,
    });
    expect(theirs.body.candidates.some((c: any) => c.patientId === 'p1')).toBe(false);
  });
});

describe('“your results are normal”', () => {
  it('is neutral without the patient’s agreement to clinical texts, and says “normal” with it', async () => {
    const preview = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results/preview', {
      reference: 'Observation/p1-acute-lab',
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      kind: 'results-neutral',
      phone: P1,
      clinicalContentAgreed: false,
      alreadySent: false,
    });
    const neutral = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results', {
      reference: 'Observation/p1-acute-lab',
    });
    expect(neutral.status).toBe(200);
    expect(neutral.body.kind).toBe('results-neutral');
    expect(neutral.body.body).toBe(preview.body.body);
    expect((await sentTo(P1)).at(-1)!.body).toBe(preview.body.body);
    const after = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results/preview', {
      reference: 'Observation/p1-acute-lab',
    });
    expect(after.body.alreadySent).toBe(true);
    expect((await sentTo(P1)).at(-1)!.body).not.toMatch(/normal/);
    const again = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results', {
      reference: 'Observation/p1-acute-lab',
    });
    expect(again.status).toBe(409);
    const patient = await read<Patient>('Patient', 'p1');
    await t.platform.resources.update('Patient', 'p1', {
      ...patient,
      extension: [{ url: CLINICAL_TEXTS_EXTENSION, valueBoolean: true }],
    });
    const normalPreview = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results/preview', {
      reference: 'Observation/p1-comm-obs',
    });
    expect(normalPreview.body).toMatchObject({ kind: 'results-normal', clinicalContentAgreed: true });
    expect(normalPreview.body.body).toMatch(/results are normal/);
    const normal = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results', {
      reference: 'Observation/p1-comm-obs',
    });
    expect(normal.status).toBe(200);
    expect((await sentTo(P1)).at(-1)!.body).toMatch(/results are normal/);
  });

  it('is for GPs only, and a results text’s words are withheld from clerical staff', async () => {
    const clerical = await inbox.api(reception, 'POST', '/api/practice-sms/results', {
      reference: 'Observation/p1-comm-obs',
    });
    expect(clerical.status).toBe(403);
    const clericalPreview = await inbox.api(reception, 'POST', '/api/practice-sms/results/preview', {
      reference: 'Observation/p1-comm-obs',
    });
    expect(clericalPreview.status).toBe(403);
    const malformed = await inbox.api(ACTORS.gp, 'POST', '/api/practice-sms/results/preview', {
      reference: 'Observation/p1-comm-obs/_history/1',
    });
    expect(malformed.status).toBe(400);
    const thread = await inbox.api(reception, 'GET', `/api/practice-sms/conversations/${encodeURIComponent(P1)}`);
    expect(thread.body.messages.some((m: any) => /results are normal/.test(m.body))).toBe(false);
  });
});

describe('attackers', () => {
  it('another practice’s receptionist sees none of this practice’s conversations, reminders or recalls', async () => {
    const list = await inbox.api(otherReception, 'GET', '/api/practice-sms/conversations');
    expect(list.status).toBe(200);
    expect(list.body.conversations).toEqual([]);
    const thread = await inbox.api(otherReception, 'GET', `/api/practice-sms/conversations/${encodeURIComponent(P1)}`);
    expect(thread.status).toBe(404);
    const reply = await inbox.api(
      otherReception,
      'POST',
      `/api/practice-sms/conversations/${encodeURIComponent(P1)}/reply`,
      {
        body: 'hello',
      },
    );
    expect(reply.status).toBe(404);
    expect((await inbox.api(otherReception, 'GET', '/api/practice-sms/reminders')).body.reminders).toEqual([]);
    expect((await inbox.api(otherReception, 'GET', '/api/practice-sms/recalls')).body.recalls).toEqual([]);
    const preview = await inbox.api(otherReception, 'POST', '/api/practice-sms/recalls/preview', { review: 'asthma' });
    expect(preview.body.candidates.some((c: any) => c.patientId === 'p1')).toBe(false);
  });

  it('patients, hospital staff and callers without a token are refused', async () => {
    expect((await inbox.api(ACTORS.patient1, 'GET', '/api/practice-sms/conversations')).status).toBe(403);
    expect((await inbox.api(ACTORS.acute, 'GET', '/api/practice-sms/conversations')).status).toBe(403);
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/practice-sms/conversations',
      headers: { authorization: '' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
