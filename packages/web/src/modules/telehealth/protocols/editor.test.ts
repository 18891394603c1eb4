import { describe, expect, it } from 'vitest';
import type { Protocol } from './api.ts';
import {
  changesBetween,
  checkForm,
  fieldOf,
  formFrom,
  mayEditProtocols,
  protocolFrom,
  serverErrors,
  splitTimes,
} from './editor.ts';

/** The COPD protocol as `GET /api/telehealth/protocols/copd` answers (server: protocols/library/copd.ts). */
const copd: Protocol = {
  id: 'copd',
  version: 1,
  title: 'COPD daily check',
  purpose: 'Daily oxygen level, pulse and breathlessness for people with COPD, to spot a flare-up early.',
  condition: { system: 'http://snomed.info/sct', code: '13645005', display: 'Chronic obstructive lung disease' },
  guideline: { citation: 'NICE NG115', url: 'https://www.nice.org.uk/guidance/ng115' },
  schedule: { times: ['10:00'], days: 'daily' },
  prompts: [
    { id: 'oximetry', text: 'Please check your oxygen level and pulse: 95 72', expecting: ['spo2', 'pulse'] },
    {
      id: 'breathless',
      text: 'Are you more breathless than usual today? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: { system: 'https://careweave.example/q', code: 'more-breathless', display: 'More breathless' },
    },
  ],
  levels: [
    { measure: 'spo2', level: 'red', below: 88, reason: 'Oxygen below 88%' },
    { measure: 'pulse', level: 'red', atLeast: 130, reason: 'Pulse 130 or more at rest' },
    { measure: 'spo2', level: 'amber', below: 92, reason: 'Oxygen below 92%' },
    { measure: 'pulse', level: 'amber', atLeast: 110, reason: 'Pulse 110 or more at rest' },
    { measure: 'answer', level: 'amber', equals: 1, reason: 'More breathless than usual' },
  ],
  trends: [{ measure: 'spo2', change: -4, withinDays: 3, level: 'amber', reason: 'Oxygen down 4 points in 3 days' }],
  totals: [],
  needs: [],
  replies: { green: 'Thank you, recorded.', amber: 'Follow your COPD action plan.', red: 'Your care team will call.' },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 3 },
  catchUpMinutes: 120,
};

describe('the protocol editor form', () => {
  it('round-trips: an untouched form gives back exactly the protocol', () => {
    expect(protocolFrom(copd, formFrom(copd))).toEqual(copd);
    expect(checkForm(copd, formFrom(copd))).toEqual({});
    expect(changesBetween(copd, protocolFrom(copd, formFrom(copd)))).toEqual([]);
  });

  it('fills the form from the protocol, as strings', () => {
    const form = formFrom(copd);
    expect(form.times).toBe('10:00');
    expect(form.levels[2]).toEqual({ level: 'amber', value: '92', reason: 'Oxygen below 92%' });
    expect(form.levels[4]!.value).toBe('1');
    expect(form.escalate).toEqual({ amber: true, red: true });
    expect(form.remindAfterMinutes).toBe('120');
  });

  it('sends the whole protocol with only the edited fields changed, each rule keeping its bound', () => {
    const form = formFrom(copd);
    form.replies.green = '  Thanks, all recorded. ';
    form.levels[2] = { level: 'amber', value: '91.5', reason: 'Oxygen below 91.5%' };
    form.times = '08:00, 20:00';
    form.escalate = { amber: false, red: true };
    form.alertAfterMisses = '2';
    const sent = protocolFrom(copd, form);
    expect(sent.replies.green).toBe('Thanks, all recorded.');
    expect(sent.levels[2]).toEqual({ measure: 'spo2', level: 'amber', below: 91.5, reason: 'Oxygen below 91.5%' });
    expect(Object.keys(sent.levels[2]!)).not.toContain('atLeast');
    expect(sent.schedule).toEqual({ times: ['08:00', '20:00'], days: 'daily' });
    expect(sent.escalate).toEqual(['red']);
    expect(sent.missed).toEqual({ remindAfterMinutes: 120, alertAfterMisses: 2 });
    // What the form does not show is sent as it was.
    expect(sent.condition).toEqual(copd.condition);
    expect(sent.prompts[1]!.questionCode).toEqual(copd.prompts[1]!.questionCode);
    expect(sent.trends).toEqual(copd.trends);
    expect(sent.catchUpMinutes).toBe(120);
    // The original is untouched.
    expect(copd.levels[2]!.below).toBe(92);
  });

  it('reads times separated by commas, spaces or lines', () => {
    expect(splitTimes('08:00,20:00')).toEqual(['08:00', '20:00']);
    expect(splitTimes(' 08:00 \n 20:00; 22:00 ')).toEqual(['08:00', '20:00', '22:00']);
    expect(splitTimes('  ')).toEqual([]);
  });
});

describe('checking the form', () => {
  it('finds the obvious mistakes, each on its field', () => {
    const form = formFrom(copd);
    form.title = ' ';
    form.prompts[1] = 'Hi';
    form.times = '10:00, 8am';
    form.levels[2]!.value = '92%';
    form.levels[3]!.value = '';
    form.levels[0]!.value = '150';
    form.levels[1]!.reason = '';
    form.replies.green = '';
    form.remindAfterMinutes = '1.5';
    form.alertAfterMisses = '31';
    const errors = checkForm(copd, form);
    expect(Object.keys(errors).sort()).toEqual(
      [
        'title',
        'prompt-1',
        'times',
        'rule-0-value',
        'rule-1-reason',
        'rule-2-value',
        'rule-3-value',
        'reply-green',
        'remind-after',
        'alert-after',
      ].sort(),
    );
    expect(errors['rule-2-value']).toBe('The threshold of rule 3 (Oxygen saturation (SpO2)) must be a number, like 92');
    expect(errors['rule-0-value']).toMatch(/between 70 and 100 %/);
    expect(errors.times).toMatch(/not “8am”/);
  });

  it.each([
    ['', /at least one time/],
    ['25:00', /24-hour clock/],
    ['8:00', /24-hour clock/],
    ['10:00, 10:00', /only once/],
    ['01:00 02:00 03:00 04:00 05:00 06:00 07:00', /no more than 6/],
  ])('times %j', (times, message) => {
    expect(checkForm(copd, { ...formFrom(copd), times }).times).toMatch(message);
  });

  it('accepts negative and decimal numbers where the measure allows', () => {
    const form = formFrom(copd);
    form.levels[2]!.value = ' 90.5 ';
    expect(checkForm(copd, form)).toEqual({});
    expect(protocolFrom(copd, form).levels[2]!.below).toBe(90.5);
  });
});

describe('the server’s answer', () => {
  it.each([
    ['replies.green', 'reply-green'],
    ['levels.2.below', 'rule-2-value'],
    ['levels.2', 'rule-2-value'],
    ['levels.0.reason', 'rule-0-reason'],
    ['levels.1.level', 'rule-1-level'],
    ['prompts.1.text', 'prompt-1'],
    ['prompts.1.id', 'protocol-form'],
    ['schedule.times.0', 'times'],
    ['missed.alertAfterMisses', 'alert-after'],
    ['missed.remindAfterMinutes', 'remind-after'],
    ['escalate.0', 'escalate-amber'],
    ['title', 'title'],
    ['guideline.url', 'protocol-form'],
    [undefined, 'protocol-form'],
  ])('%s is the field %s', (expression, field) => {
    expect(fieldOf(expression)).toBe(field);
  });

  it('maps a 400 OperationOutcome’s issues onto the fields', () => {
    const errors = serverErrors(
      {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'invalid',
            diagnostics: 'replies.green String must contain at least 3 character(s)',
            expression: ['replies.green'],
          },
          {
            severity: 'error',
            code: 'invalid',
            diagnostics: 'levels.2.below Expected number',
            expression: ['levels.2.below'],
          },
          { severity: 'error', code: 'invalid', diagnostics: 'body Required' },
        ],
      },
      'fallback',
    );
    expect(errors).toEqual({
      'reply-green': 'CareWeave refused this: replies.green String must contain at least 3 character(s)',
      'rule-2-value': 'CareWeave refused this: levels.2.below Expected number',
      'protocol-form': 'CareWeave refused this: body Required',
    });
    expect(serverErrors(undefined, 'The request failed (400).')).toEqual({
      'protocol-form': 'The request failed (400).',
    });
  });
});

describe('what changed', () => {
  it('lists each changed field with its value before and after', () => {
    const form = formFrom(copd);
    form.replies.green = 'Thanks, all recorded.';
    form.levels[2]!.value = '91';
    form.escalate.amber = false;
    expect(changesBetween(copd, protocolFrom(copd, form))).toEqual([
      {
        what: 'Rule 3',
        before: 'Amber: Oxygen saturation (SpO2) below 92% (Oxygen below 92%)',
        after: 'Amber: Oxygen saturation (SpO2) below 91% (Oxygen below 92%)',
      },
      { what: 'Reply to a green reading', before: 'Thank you, recorded.', after: 'Thanks, all recorded.' },
      { what: 'Alerts the team', before: 'Amber and red readings', after: 'Red readings' },
    ]);
  });
});

describe('who may edit', () => {
  it('clinicians and nurses only', () => {
    expect(mayEditProtocols('R8000')).toBe(true);
    expect(mayEditProtocols('R8001')).toBe(true);
    expect(mayEditProtocols('R8010')).toBe(false);
    expect(mayEditProtocols(undefined)).toBe(false);
  });
});
