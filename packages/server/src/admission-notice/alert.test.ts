import type { Encounter, Patient } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { alertCommunication, priorityOf, recordId, smsFor, wordsFor } from './alert.ts';
import type { AlertEvent } from './occasion.ts';

const EVENTS: AlertEvent[] = [
  'admission',
  'attendance',
  'transfer',
  'discharge',
  'cancelled',
  'transfer-cancelled',
  'discharge-cancelled',
];
const patient: Patient = { resourceType: 'Patient', id: 'p1', name: [{ given: ['Ada'], family: 'Lovelace' }] };
const encounter: Encounter & { id: string } = {
  resourceType: 'Encounter',
  id: 'e1',
  status: 'in-progress',
  class: { code: 'IMP' },
  subject: { reference: 'Patient/p1' },
  period: { start: '2025-03-01T10:00:00Z', end: '2025-03-05T12:00:00Z' },
  meta: {
    source: 'https://example/fhir/R4/Organization/h1',
    security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }],
  },
};

describe('what an alert says', () => {
  test.each(
    EVENTS.flatMap((e) => [
      [e, 'Practitioner/x'],
      [e, 'RelatedPerson/y'],
    ]),
  )('the %s text to %s names no one and has no digits (sent as written)', (event, recipient) => {
    const sms = smsFor(event, recipient);
    expect(sms).not.toMatch(/\d/);
    expect(sms).not.toMatch(/Ada|Lovelace/);
    expect(sms).toMatch(/^CareWeave: .* Sign in to see/);
  });

  test.each([
    ['admission', 'urgent'],
    ['attendance', 'urgent'],
    ['transfer', 'routine'],
    ['discharge', 'routine'],
    ['cancelled', 'urgent'],
    ['transfer-cancelled', 'routine'],
    ['discharge-cancelled', 'routine'],
  ] as const)('%s is %s', (event, priority) => {
    expect(priorityOf(event)).toBe(priority);
  });

  test('the inbox words say who and where, after sign-in', () => {
    expect(
      wordsFor({ event: 'admission', key: 'admission', where: 'WARD4' }, patient, encounter, 'Ormskirk Hospital'),
    ).toEqual({
      title: 'Ada Lovelace was admitted to hospital',
      text: 'Ada Lovelace was admitted to Ormskirk Hospital, WARD4 on 2025-03-01.',
    });
    expect(wordsFor({ event: 'discharge', key: 'discharge:x' }, patient, encounter, undefined).text).toBe(
      'Ada Lovelace was discharged on 2025-03-05.',
    );
  });

  test('a cancelled admission says so, plainly (A11)', () => {
    expect(
      wordsFor({ event: 'cancelled', key: 'cancelled', where: 'WARD4' }, patient, encounter, 'Ormskirk Hospital'),
    ).toEqual({
      title: 'Cancelled — Ada Lovelace was admitted in error',
      text: 'Cancelled — admitted in error: the admission of Ada Lovelace at Ormskirk Hospital, WARD4 on 2025-03-01 was recorded in error and did not happen. Disregard the earlier alert.',
    });
    expect(smsFor('cancelled', 'Practitioner/x')).toMatch(/^CareWeave: cancelled - an admission alert/);
    expect(wordsFor({ event: 'discharge-cancelled', key: 'x', where: 'WARD4' }, patient, encounter, 'H').title).toBe(
      'Ada Lovelace has not left hospital',
    );
  });

  test('the Communication is as sensitive as the Encounter and threads to the first alert', () => {
    const c = alertCommunication({
      id: recordId('Encounter/e1', 'transfer:3'),
      encounter,
      occasion: { event: 'transfer', key: 'transfer:3' },
      text: 'moved',
      told: ['Practitioner/a'],
      notTold: [{ reference: 'Organization/o', reason: 'organisation-member' }],
      thread: 'Communication/first',
      sent: new Date('2025-03-02T00:00:00Z'),
    });
    expect(c).toMatchObject({
      status: 'completed',
      meta: encounter.meta,
      subject: { reference: 'Patient/p1' },
      about: [{ reference: 'Encounter/e1' }],
      recipient: [{ reference: 'Practitioner/a' }],
      inResponseTo: [{ reference: 'Communication/first' }],
      partOf: [{ reference: 'Communication/first' }],
      sent: '2025-03-02T00:00:00.000Z',
    });
    expect(c.category?.[0]?.coding?.[0]).toMatchObject({ code: 'admission-alert' });
    expect(c.identifier?.map((i) => i.value)).toEqual(['Encounter/e1/transfer:3', 'Encounter/e1']);
    // Found again by id: the same visit and occasion, the same id; another, another.
    expect(c.id).toBe(recordId('Encounter/e1', 'transfer:3'));
    expect(c.id).toMatch(/^aa-[0-9a-f]{40}$/);
    expect(recordId('Encounter/e1', 'thread')).not.toBe(c.id);
  });
});
