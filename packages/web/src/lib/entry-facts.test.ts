import type {
  Appointment,
  Composition,
  DocumentReference,
  Encounter,
  MedicationRequest,
  Observation,
  Resource,
} from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { documentText, entryFacts, lookupIn, narrativeText } from './entry-facts.ts';

const referenced = new Map<string, Resource>([
  [
    'Practitioner/gp1',
    { resourceType: 'Practitioner', id: 'gp1', name: [{ given: ['Asha'], family: 'Patel', prefix: ['Dr'] }] },
  ],
  ['Organization/o1', { resourceType: 'Organization', id: 'o1', name: 'Ormskirk Medical Practice' }],
]);
const lookup = lookupIn(referenced);
const facts = (resource: Resource): Record<string, string> =>
  Object.fromEntries(entryFacts(resource, lookup).map((f) => [f.label, f.value]));

describe('an entry’s facts in a clinician’s words', () => {
  it('says how a booked appointment is held and why the patient booked it', () => {
    const appointment: Appointment = {
      resourceType: 'Appointment',
      status: 'booked',
      start: '2026-03-02T09:00:00Z',
      end: '2026-03-02T09:10:00Z',
      serviceType: [
        { text: 'GP appointment' },
        { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/appointment-channel', code: 'telephone' }] },
      ],
      reasonCode: [{ text: 'Cough for three weeks' }],
      participant: [{ status: 'accepted' }],
    };
    expect(facts(appointment)).toMatchObject({ Status: 'Booked', How: 'By phone', Reason: 'Cough for three weeks' });
    expect(facts({ ...appointment, serviceType: [{ text: 'GP appointment' }] }).How).toBeUndefined();
  });

  it('describes a visit: kind, status, who, where, never HL7’s displays', () => {
    const visit: Encounter = {
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'AMB', display: 'ambulatory' },
      period: { start: '2026-03-02T09:00:00Z', end: '2026-03-02T09:15:00Z' },
      participant: [{ individual: { reference: 'Practitioner/gp1' } }],
      serviceProvider: { reference: 'Organization/o1' },
      reasonCode: [{ text: 'Diabetes review' }],
    };
    expect(facts(visit)).toEqual({
      'Kind of visit': 'Clinic or surgery visit',
      Status: 'Finished',
      When: expect.stringMatching(/^2 March 2026.* to 2 March 2026/) as string,
      Reason: 'Diabetes review',
      'Seen by': 'Dr Asha Patel',
      Organisation: 'Ormskirk Medical Practice',
    });
  });

  it('gives a result its normal range and a medicine its repeats left and prescriber', () => {
    const egfr: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'eGFR' },
      valueQuantity: { value: 52, unit: 'mL/min/1.73m2' },
      referenceRange: [{ low: { value: 60, unit: 'mL/min/1.73m2' } }],
      effectiveDateTime: '2026-03-02',
    };
    expect(facts(egfr)).toMatchObject({ Result: '52 mL/min/1.73m2', 'Normal range': '60 mL/min/1.73m2 or more' });
    const repeat: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      courseOfTherapyType: { coding: [{ code: 'continuous' }] },
      dosageInstruction: [{ text: 'One tablet twice a day' }],
      dispenseRequest: { numberOfRepeatsAllowed: 3, quantity: { value: 56, unit: 'tablet' } },
      requester: { reference: 'Practitioner/gp1' },
    };
    expect(facts(repeat)).toMatchObject({
      Kind: 'Repeat',
      Status: 'Active',
      'How to take it': 'One tablet twice a day',
      Quantity: '56 tablet',
      'Issues allowed before a review': '3',
      Prescriber: 'Dr Asha Patel',
    });
  });
});

describe('the text of a note or letter', () => {
  it('reads a plain-text attachment and ignores other kinds', () => {
    const note: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [
        {
          attachment: {
            contentType: 'text/plain; charset=utf-8',
            data: btoa('Seen today.\nBP 128/80.'),
            title: 'Consultation',
          },
        },
        { attachment: { contentType: 'application/pdf', data: 'JVBERi0=' } },
      ],
    };
    expect(documentText(note)).toEqual([{ title: 'Consultation', text: 'Seen today.\nBP 128/80.' }]);
  });

  it('turns a document’s narrative into text: no markup survives, not even a script', () => {
    const summary: Composition = {
      resourceType: 'Composition',
      status: 'final',
      type: { text: 'Summary' },
      date: '2026-03-02',
      author: [],
      title: 'Telehealth summary',
      section: [
        {
          title: 'Readings',
          text: {
            status: 'generated',
            div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>BP &lt; 140</p><script>alert(1)</script><p>Fine &amp; well</p></div>',
          },
        },
      ],
    };
    const [section] = documentText(summary);
    expect(section).toEqual({ title: 'Readings', text: 'BP < 140\nFine & well' });
    expect(narrativeText('<b onclick="x()">A</b>')).toBe('A');
  });
});
