import { describe, expect, it } from 'vitest';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import { DEFAULT_TEMPLATES, fieldsOf, render, smsParts, TEMPLATE_KINDS, validateTemplate } from './templates.ts';

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (isOperationOutcomeError(error)) {
      return error.outcome.issue?.[0]?.diagnostics ?? '';
    }
    throw error;
  }
  return '';
}

describe('templates', () => {
  it.each(TEMPLATE_KINDS)('the default %s template is valid', (kind) => {
    expect(() => validateTemplate(kind, DEFAULT_TEMPLATES[kind])).not.toThrow();
  });

  it.each([
    ['reminder', 'Hi {{firstName}} {{nhsNumber}}', /Unknown merge field \{\{nhsNumber\}\}/],
    ['recall', 'Your {{appointmentTime}}', /Unknown merge field \{\{appointmentTime\}\}/],
    ['results-normal', 'Hi {{firstName}', /braces/],
    ['reminder', '   ', /Enter the text/],
  ] as const)('refuses a %s template %j', (kind, body, message) => {
    expect(refusal(() => validateTemplate(kind, body))).toMatch(message);
  });

  it('fills merge fields and tidies what an empty one leaves', () => {
    expect(fieldsOf('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
    expect(render('Hello {{firstName}}, at {{location}}.', { firstName: 'Ann' })).toBe('Hello Ann, at.');
  });

  it.each([
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['€'.repeat(80), 'GSM-7', 1],
    ['a'.repeat(70) + '’', 'UCS-2', 2],
    ['😀', 'UCS-2', 1],
  ] as const)('counts %#: %s parts', (text, encoding, parts) => {
    expect(smsParts(text)).toMatchObject({ encoding, parts });
  });
});
