import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { parseReply } from '../replies/parse.ts';
import { readingObservation } from '../replies/observations.ts';
import { levelOfValues, ruleValues } from './levels.ts';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { PROTOCOL_LIBRARY, libraryProtocol } from './library/index.ts';
import { fromPlanDefinition, ruleExpression, toPlanDefinition } from './plan-definition.ts';

describe('protocols as PlanDefinitions', () => {
  it.each(PROTOCOL_LIBRARY.map((p) => [p.id, p] as const))(
    '%s is a valid R4 PlanDefinition that round-trips',
    (_id, protocol) => {
      const plan = toPlanDefinition(protocol);
      expect(validateFhirResource(plan).filter((issue) => issue.severity === 'error')).toEqual([]);
      expect(fromPlanDefinition(plan)).toEqual(protocol);
      expect(plan.relatedArtifact?.[0]).toMatchObject({ type: 'citation', url: protocol.guideline.url });
    },
  );

  it('publishes each level rule as a FHIRPath condition on the prompt that reads it', () => {
    const plan = toPlanDefinition(libraryProtocol('home-bp')!);
    const conditions = plan.action![0]!.action!.map((a) => a.condition![0]!.expression!.expression);
    expect(conditions).toContain("component.where(code.coding.code = '8480-6').valueQuantity.value >= 180");
    expect(plan.action![0]!.timingTiming?.repeat?.timeOfDay).toEqual(['08:00:00', '20:00:00']);
  });

  it('writes each kind of rule as FHIRPath', () => {
    expect(ruleExpression({ measure: 'spo2', level: 'red', below: 88, reason: 'x' })).toBe(
      "where(code.coding.code = '59408-5').valueQuantity.value < 88",
    );
    expect(ruleExpression({ measure: 'answer', level: 'amber', equals: 1, reason: 'x' })).toBe('valueBoolean = true');
    expect(ruleExpression({ measure: 'answer', level: 'amber', equals: 0, reason: 'x' })).toBe('valueBoolean = false');
  });

  it.each([
    ['home-bp', 'bp', '185/100'],
    ['home-bp', 'bp', '120/80'],
    ['copd', 'oximetry', '87 120'],
    ['copd', 'breathless', 'yes'],
    ['diabetes', 'glucose', '3.2'],
    ['asthma', 'peakflow', '240'],
    ['post-discharge', 'feeling', '3'],
    ['medication-reminder', 'taken', 'no'],
  ])('the published FHIRPath conditions agree with the service for %s %s %j', (id, promptId, text) => {
    const protocol = libraryProtocol(id)!;
    const prompt = protocol.prompts.find((p) => p.id === promptId)!;
    const variables = { '%personalBestPeakFlow': toTypedValue(500) };
    for (const reading of parseReply(text, prompt.expecting).readings) {
      const observation = readingObservation(reading, { effective: '2026-12-06T09:00:00Z' });
      for (const rule of protocol.levels) {
        const [result] = evalFhirPathTyped(ruleExpression(rule), [toTypedValue(observation)], variables);
        const published = result?.value === true;
        const service = levelOfValues([rule], ruleValues(reading, { personalBestPeakFlow: 500 })).level !== 'green';
        expect(published, `${rule.reason}: ${ruleExpression(rule)}`).toBe(service);
      }
    }
  });
});
