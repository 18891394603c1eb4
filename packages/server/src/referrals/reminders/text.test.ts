import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { currentTelecom, notTextable, reminderText } from './text.ts';

const NOW = new Date('2026-03-02T10:00:00Z');

describe('reminderText', () => {
  it('says when and where, in London time, and how to change it, without naming the clinic', () => {
    const text = reminderText(
      { firstName: 'Ann', start: '2026-03-03T09:15:00Z', place: 'Skelmersdale Health Centre', provider: 'WLCHS' },
      NOW,
    );
    expect(text).toBe(
      'Ann, you have a hospital or clinic appointment tomorrow, Tuesday 3 March at 09:15 at Skelmersdale Health ' +
        'Centre, WLCHS. To change or cancel it, sign in to your CareWeave patient portal or contact the service. ' +
        'Reply STOP to stop texts from CareWeave.',
    );
  });

  it('gives the date a week ahead and British Summer Time', () => {
    expect(reminderText({ start: '2026-06-09T08:00:00Z' }, new Date('2026-06-02T08:00:00Z'))).toMatch(
      /^You have a hospital or clinic appointment Tuesday 9 June at 09:00\. /,
    );
  });
});

describe('who may be texted', () => {
  const base: Patient = { resourceType: 'Patient' };
  it.each([
    [{ ...base }, undefined],
    [{ ...base, deceasedBoolean: true }, 'deceased'],
    [
      {
        ...base,
        extension: [
          {
            url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference',
            extension: [
              {
                url: 'PreferredContactMethod',
                valueCodeableConcept: {
                  coding: [{ system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-PreferredContactMethod', code: '8' }],
                },
              },
            ],
          },
        ],
      },
      'no telephone contact',
    ],
  ] as [Patient, string | undefined][])('%#', (patient, why) => {
    expect(notTextable(patient)).toBe(why);
  });

  it('leaves out a number whose period has ended', () => {
    const patient: Patient = {
      ...base,
      telecom: [
        { system: 'sms', value: '07700 900001', period: { end: '2026-01-01' } },
        { system: 'phone', use: 'mobile', value: '07700 900002' },
      ],
    };
    expect(currentTelecom(patient, NOW)!.map((t) => t.value)).toEqual(['07700 900002']);
  });
});
