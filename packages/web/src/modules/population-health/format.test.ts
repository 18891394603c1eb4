import type { RiskAssessment } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { csvPath } from './api.ts';
import { summariseAssessment } from './assessment.ts';
import {
  ageBandText,
  changeText,
  countText,
  listText,
  money,
  nhsNumberText,
  pageCount,
  peopleText,
  percent,
  rangeText,
} from './format.ts';

describe('risk list wording', () => {
  it.each([
    [0.848, '84.8%'],
    [0.1, '10.0%'],
    [0.0123, '1.2%'],
    [0.0045, '0.45%'],
    [0, '0.00%'],
  ])('probability %s is %s', (probability, text) => {
    expect(percent(probability)).toBe(text);
  });

  it.each([
    [0.2, undefined, false, 'No earlier score'],
    [0.2, 0.1, true, 'Rising: up from 10.0%'],
    [0.11, 0.1, false, 'Was 10.0%'],
    [0.08, 0.1, false, 'Down from 10.0%'],
  ])('change %s from %s', (probability, previous, rising, text) => {
    expect(changeText(probability, previous, rising)).toBe(text);
  });

  it('says suppressed numbers in words, never as "<5"', () => {
    expect(countText('<5')).toBe('fewer than 5');
    expect(peopleText('<5')).toBe('fewer than 5 people');
    expect(peopleText(1)).toBe('1 person');
    expect(peopleText(0)).toBe('0 people');
    expect(ageBandText(null)).toBe('Suppressed (fewer than 5)');
    expect(ageBandText('75-79')).toBe('75-79');
  });

  it('formats money, NHS numbers, lists and ranges', () => {
    expect(money(18106.4)).toBe('£18,106');
    expect(nhsNumberText('9434765919')).toBe('NHS number 943 476 5919');
    expect(nhsNumberText(undefined)).toBe('No NHS number');
    expect(listText([])).toBe('None recorded');
    expect(listText(['COPD', 'heart failure'])).toBe('COPD, heart failure');
    expect(rangeText(2, 50, 20, 70)).toBe('Showing 51 to 70 of 70');
    expect(rangeText(1, 50, 0, '<5')).toBe('None shown of fewer than 5');
    expect(pageCount(70, 50)).toBe(2);
    expect(pageCount(0, 50)).toBe(1);
    expect(pageCount('<5', 50)).toBe(1);
  });

  it('asks for the CSV with the same filters and no page', () => {
    expect(csvPath('identifiable', { band: 'very-high', rising: true, page: 3 })).toBe(
      '/api/population-health/risk-list.csv?band=very-high&rising=true',
    );
    expect(csvPath('pseudonymised', { page: 1 })).toBe('/api/population-health/pseudonymised-list.csv');
  });
});

describe('a stored score (RiskAssessment)', () => {
  const assessment: RiskAssessment = {
    resourceType: 'RiskAssessment',
    status: 'final',
    subject: { reference: 'Patient/1' },
    occurrenceDateTime: '2026-12-06T02:30:00Z',
    method: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-model', code: 'ea12-v1' }] },
    extension: [
      {
        url: 'https://careweave.example/fhir/StructureDefinition/risk-factor',
        extension: [
          { url: 'feature', valueCode: 'admissions12m' },
          { url: 'words', valueString: '2 emergency admissions in the last 12 months' },
        ],
      },
      {
        url: 'https://careweave.example/fhir/StructureDefinition/risk-annual-cost',
        valueMoney: { value: 5400, currency: 'GBP' },
      },
    ],
    prediction: [
      {
        probabilityDecimal: 0.312,
        qualitativeRisk: {
          coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-band', code: 'high' }],
        },
      },
    ],
  };

  it('reads band, probability, model, time, factors and cost', () => {
    expect(summariseAssessment(assessment)).toEqual({
      band: 'high',
      probability: 0.312,
      modelVersion: 'ea12-v1',
      scoredAt: '2026-12-06T02:30:00Z',
      factors: ['2 emergency admissions in the last 12 months'],
      cost12m: 5400,
    });
  });

  it('leaves out what it lacks, and an unknown band', () => {
    const bare: RiskAssessment = {
      resourceType: 'RiskAssessment',
      status: 'final',
      subject: { reference: 'Patient/1' },
      prediction: [
        {
          qualitativeRisk: {
            coding: [{ system: 'https://careweave.example/fhir/CodeSystem/risk-band', code: 'huge' }],
          },
        },
      ],
    };
    expect(summariseAssessment(bare)).toEqual({ factors: [] });
  });
});
