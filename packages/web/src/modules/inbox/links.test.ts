import { describe, expect, it } from 'vitest';
import { aboutHref, notificationLink } from './links.ts';

describe('aboutHref', () => {
  it.each([
    ['Patient/p1', 'staff', '/patients/p1'],
    ['https://careweave.example/fhir/R4/Patient/p 2', 'staff', '/patients/p%202'],
    ['MedicationRequest/m1', 'staff', '/practice/repeat-requests'],
    ['MedicationRequest/m1', 'patient', '/my/prescriptions'],
    ['Appointment/a1', 'related-person', '/my/appointments'],
    // A patient's own notifications never link to the clinician's view of a record.
    ['Patient/p1', 'patient', undefined],
    ['Observation/o1', 'staff', undefined],
    ['not-a-reference', 'staff', undefined],
  ] as const)('%s for %s', (reference, role, href) => {
    expect(aboutHref({ reference }, role)).toBe(href);
  });

  it('links nothing without an about', () => {
    expect(aboutHref(undefined, 'staff')).toBeUndefined();
  });
});

describe('notificationLink', () => {
  const subject = { reference: 'Patient/p1', display: 'Harold BIGRECORD' };

  it('links to what it is about when the app shows it', () => {
    expect(notificationLink({ about: { reference: 'Patient/p1', display: 'Harold' } }, 'staff')).toEqual({
      href: '/patients/p1',
      text: 'Go to Harold',
    });
  });

  it('takes staff to the patient’s record for a result or an admission', () => {
    expect(notificationLink({ about: { reference: 'Encounter/e1' }, subject }, 'staff')).toEqual({
      href: '/patients/p1',
      text: 'Open Harold BIGRECORD’s record',
    });
  });

  it.each([
    ['admission-notice', 'Encounter/e1', '/admission-alerts/e1'],
    ['admission-follow-up', 'Task/t1', '/admission-alerts/follow-up/t1'],
  ])('takes staff to the admission alert thread for %s', (kind, reference, href) => {
    expect(notificationLink({ kind, about: { reference }, subject }, 'staff')).toEqual({
      href,
      text: 'Open the admission alert',
    });
    expect(notificationLink({ kind, about: { reference }, subject }, 'related-person')?.href).not.toBe(href);
  });

  it('gives patients no link to the clinician’s view', () => {
    expect(notificationLink({ about: { reference: 'Encounter/e1' }, subject }, 'patient')).toBeUndefined();
  });
});
