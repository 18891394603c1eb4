import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const tryReply = (text: string, ...expecting: string[]) =>
  t.fhir('POST', 'PlanDefinition/$try-reply', {
    resourceType: 'Parameters',
    parameter: [{ name: 'text', valueString: text }, ...expecting.map((e) => ({ name: 'expecting', valueCode: e }))],
  });

const named = (body: any, name: string) => body.parameter.filter((p: any) => p.name === name);

describe('PlanDefinition/$try-reply', () => {
  it('answers with coded, valid Observations and the reply it would send, storing nothing', async () => {
    const before = await t.fhir('GET', 'Observation?_summary=count');
    const response = await tryReply('BP:152/97 P:70', 'bp', 'pulse');
    expect(response.status).toBe(200);
    const readings = named(response.body, 'reading').map((p: any) => p.resource);
    expect(readings).toHaveLength(2);
    expect(readings[0].code.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '85354-9' });
    expect(readings[0].component[0].valueQuantity).toMatchObject({
      value: 152,
      system: 'http://unitsofmeasure.org',
      code: 'mm[Hg]',
    });
    expect(readings[1].valueQuantity).toMatchObject({ value: 70, code: '/min' });
    for (const observation of readings) {
      expect(validateFhirResource(observation).filter((i) => i.severity === 'error')).toEqual([]);
    }
    expect(named(response.body, 'askAgain')[0].valueBoolean).toBe(false);
    expect(named(response.body, 'reply')[0].valueString).toMatch(/Thank you/);
    const after = await t.fhir('GET', 'Observation?_summary=count');
    expect(after.body.total).toBe(before.body.total);
  });

  it('asks again, with an example, for what it cannot read', async () => {
    const response = await tryReply('high', 'bp');
    expect(named(response.body, 'reading')).toHaveLength(0);
    expect(named(response.body, 'askAgain')[0].valueBoolean).toBe(true);
    expect(named(response.body, 'reply')[0].valueString).toBe(
      "Sorry, we couldn't read that. Please send your blood pressure like this: 140/90.",
    );
  });

  it('recognises commands', async () => {
    const response = await tryReply('PAUSE', 'spo2');
    expect(named(response.body, 'command')[0].valueCode).toBe('pause');
  });

  it('refuses an unknown expectation with an OperationOutcome naming the parameter', async () => {
    const response = await tryReply('140/90', 'mood');
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(response.body)).toMatch(/expecting/);
  });

  it('is published as an OperationDefinition', async () => {
    const definition = await t.fhir('GET', 'OperationDefinition/PlanDefinition-try-reply');
    expect(definition.body).toMatchObject({ code: 'try-reply', resource: ['PlanDefinition'] });
  });
});
