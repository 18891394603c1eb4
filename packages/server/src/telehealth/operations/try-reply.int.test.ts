import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFhirResource } from '../../fhir/validation/validate.ts';
import { checkProtocol } from '../protocols/model.ts';
import { toPlanDefinition } from '../protocols/plan-definition.ts';
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

/** The preview under a protocol: `protocol`, and optionally `prompt` and `version`. */
const tryProtocol = (text: string, protocol: string, more: { prompt?: string; version?: number } = {}) =>
  t.fhir('POST', 'PlanDefinition/$try-reply', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'text', valueString: text },
      { name: 'protocol', valueCode: protocol },
      ...(more.prompt ? [{ name: 'prompt', valueCode: more.prompt }] : []),
      ...(more.version !== undefined ? [{ name: 'version', valueInteger: more.version }] : []),
    ],
  });

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

describe('PlanDefinition/$try-reply with a protocol', () => {
  it.each([
    // text, prompt, level, reasons, escalate, reply starts
    ['SpO2 86% pulse 88', undefined, 'red', ['Oxygen below 88%'], true, 'Your oxygen level or pulse is worrying'],
    ['90 100', undefined, 'amber', ['Oxygen below 92%'], true, 'Thank you. Your reading suggests your COPD'],
    ['96 72', 'oximetry', 'green', [], false, 'Thank you, your reading has been recorded. Keep using'],
    ['yes', 'breathless', 'amber', ['More breathless than usual'], true, 'Thank you. Your reading suggests'],
  ])('copd: "%s" (prompt %s) is %s', async (text, prompt, level, reasons, escalate, reply) => {
    const response = await tryProtocol(text, 'copd', prompt ? { prompt } : {});
    expect(response.status).toBe(200);
    expect(named(response.body, 'level')[0].valueCode).toBe(level);
    expect(named(response.body, 'reason').map((p: any) => p.valueString)).toEqual(reasons);
    expect(named(response.body, 'escalate')[0].valueBoolean).toBe(escalate);
    expect(named(response.body, 'reply')[0].valueString.startsWith(reply)).toBe(true);
  });

  it('codes a yes/no answer by the question of the prompt', async () => {
    const response = await tryProtocol('yes', 'copd', { prompt: 'breathless', version: 1 });
    const [reading] = named(response.body, 'reading').map((p: any) => p.resource);
    expect(reading.code.text).toBe('More breathless than usual');
    expect(validateFhirResource(reading).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('answers what it cannot read with what to send, and a command with no level', async () => {
    const unread = await tryProtocol('not sure', 'copd');
    expect(named(unread.body, 'askAgain')[0].valueBoolean).toBe(true);
    expect(named(unread.body, 'reply')[0].valueString).toMatch(/Sorry/);
    const stop = await tryProtocol('STOP', 'copd');
    expect(named(stop.body, 'command')[0].valueCode).toBe('stop');
    expect(named(stop.body, 'level')).toEqual([]);
  });

  it('previews a version a clinical author published, and the library version when asked for it', async () => {
    const { copd } = await import('../protocols/library/copd.ts');
    const v2 = checkProtocol({ ...copd, version: 2, replies: { ...copd.replies, green: 'Thank you (version two).' } });
    await t.platform.resources.update('PlanDefinition', 'telehealth-copd-v2', toPlanDefinition(v2));
    const latest = await tryProtocol('sats 96 pulse 70', 'copd');
    expect(named(latest.body, 'reply')[0].valueString).toBe('Thank you (version two).');
    const first = await tryProtocol('sats 96 pulse 70', 'copd', { version: 1 });
    expect(named(first.body, 'reply')[0].valueString).toBe(copd.replies.green);
    await t.platform.resources.delete('PlanDefinition', 'telehealth-copd-v2');
  });

  it.each<[string, Record<string, unknown>[], RegExp]>([
    ['an unknown protocol', [{ name: 'protocol', valueCode: 'nope' }], /protocol 'nope'/],
    [
      'a version not installed',
      [
        { name: 'protocol', valueCode: 'copd' },
        { name: 'version', valueInteger: 9 },
      ],
      /has no version 9/,
    ],
    [
      'an unknown prompt',
      [
        { name: 'protocol', valueCode: 'copd' },
        { name: 'prompt', valueCode: 'mood' },
      ],
      /no prompt 'mood'/,
    ],
    [
      'a protocol and expecting',
      [
        { name: 'protocol', valueCode: 'copd' },
        { name: 'expecting', valueCode: 'bp' },
      ],
      /not both/,
    ],
    ['neither a protocol nor expecting', [], /expecting/],
    ['a prompt without a protocol', [{ name: 'prompt', valueCode: 'oximetry' }], /only with 'protocol'/],
  ])('refuses %s with a 400 naming the parameter', async (_what, parameter, message) => {
    const response = await t.fhir('POST', 'PlanDefinition/$try-reply', {
      resourceType: 'Parameters',
      parameter: [{ name: 'text', valueString: '95 72' }, ...parameter],
    });
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(response.body)).toMatch(message);
  });

  it('documents the protocol parameters in its OperationDefinition', async () => {
    const definition = await t.fhir('GET', 'OperationDefinition/PlanDefinition-try-reply');
    const names = definition.body.parameter.map((p: any) => `${p.use}:${p.name}`);
    expect(names).toEqual(
      expect.arrayContaining(['in:protocol', 'in:version', 'in:prompt', 'out:level', 'out:reason', 'out:escalate']),
    );
  });
});
