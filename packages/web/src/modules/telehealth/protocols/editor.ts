import type { OperationOutcome } from '@medplum/fhirtypes';
import type { LevelRule, Protocol } from './api.ts';
import { describeCondition, LEVEL_NAME, MEASURES } from './describe.ts';

/**
 * The protocol editor's logic, kept apart from the page: a protocol as form fields (strings, as typed),
 * the protocol JSON back from them (the whole protocol, exactly the server's shape, with only the edited
 * fields changed), the obvious mistakes the form catches before sending, the server's 400 issues mapped
 * to fields, and what changed, for "Check your changes". The clinical rules themselves are the server's:
 * nothing here judges a reading.
 */

export interface RuleFields {
  level: 'amber' | 'red';
  /** The threshold, as typed (for a yes/no answer: "1" yes, "0" no). */
  value: string;
  reason: string;
}

export interface EditorForm {
  title: string;
  purpose: string;
  /** Each prompt's text, in the protocol's order. */
  prompts: string[];
  /** The schedule's times, as typed: "08:00, 20:00". */
  times: string;
  levels: RuleFields[];
  replies: { green: string; amber: string; red: string };
  escalate: { amber: boolean; red: boolean };
  remindAfterMinutes: string;
  alertAfterMisses: string;
}

/** Problems by the id of the field each is about (the error summary links to it). */
export type EditorErrors = Record<string, string>;

/** The id of each field, shared by the page (its inputs) and the checks (their errors). */
export const FIELD = {
  title: 'title',
  purpose: 'purpose',
  prompt: (index: number) => `prompt-${index}`,
  times: 'times',
  ruleLevel: (index: number) => `rule-${index}-level`,
  ruleValue: (index: number) => `rule-${index}-value`,
  ruleReason: (index: number) => `rule-${index}-reason`,
  reply: (level: 'green' | 'amber' | 'red') => `reply-${level}`,
  escalate: 'escalate-amber',
  remind: 'remind-after',
  misses: 'alert-after',
  /** Problems no field owns link to the form itself. */
  form: 'protocol-form',
} as const;

/** The bound a rule tests, which the editor keeps (only the number changes). */
export const boundOf = (rule: LevelRule): 'below' | 'atLeast' | 'equals' =>
  rule.below !== undefined ? 'below' : rule.atLeast !== undefined ? 'atLeast' : 'equals';

const valueOf = (rule: LevelRule): number | undefined => rule[boundOf(rule)];

/** The form, filled in from a protocol. */
export function formFrom(protocol: Protocol): EditorForm {
  return {
    title: protocol.title,
    purpose: protocol.purpose,
    prompts: protocol.prompts.map((p) => p.text),
    times: protocol.schedule.times.join(', '),
    levels: protocol.levels.map((rule) => ({
      level: rule.level,
      value: String(valueOf(rule) ?? ''),
      reason: rule.reason,
    })),
    replies: { ...protocol.replies },
    escalate: { amber: protocol.escalate.includes('amber'), red: protocol.escalate.includes('red') },
    remindAfterMinutes: String(protocol.missed.remindAfterMinutes),
    alertAfterMisses: String(protocol.missed.alertAfterMisses),
  };
}

/** "08:00, 20:00", "08:00 20:00" or one a line: the times, in the order typed. */
export const splitTimes = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter(Boolean);

const NUMBER = /^-?\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A number as typed, or NaN: "92", " 92.5 " (not "92%", "9 2" or ""). */
const toNumber = (text: string): number => (NUMBER.test(text.trim()) ? Number(text.trim()) : Number.NaN);

/**
 * The whole protocol, as the server's schema has it, with the form's changes: every field the form does
 * not show (ids, codes, what each prompt expects, trends, totals, needs, the guideline…) is sent as it
 * was. Call it on a form that `checkForm` passed.
 */
export function protocolFrom(original: Protocol, form: EditorForm): Protocol {
  const protocol = structuredClone(original);
  protocol.title = form.title.trim();
  protocol.purpose = form.purpose.trim();
  protocol.prompts = original.prompts.map((prompt, i) => ({
    ...structuredClone(prompt),
    text: form.prompts[i]!.trim(),
  }));
  protocol.schedule = { ...protocol.schedule, times: splitTimes(form.times) };
  protocol.levels = original.levels.map((rule, i) => {
    const fields = form.levels[i]!;
    // The rule keeps its measure and its bound (below, atLeast or equals): only the number changes.
    return { ...rule, level: fields.level, [boundOf(rule)]: toNumber(fields.value), reason: fields.reason.trim() };
  });
  protocol.replies = {
    green: form.replies.green.trim(),
    amber: form.replies.amber.trim(),
    red: form.replies.red.trim(),
  };
  protocol.escalate = (['amber', 'red'] as const).filter((level) => form.escalate[level]);
  protocol.missed = {
    ...protocol.missed,
    remindAfterMinutes: Number(form.remindAfterMinutes.trim()),
    alertAfterMisses: Number(form.alertAfterMisses.trim()),
  };
  return protocol;
}

/** In words, for labels and the summary: "Oxygen saturation (SpO2)". */
export const measureName = (rule: LevelRule): string =>
  rule.measure === 'answer' ? 'Answer to a yes or no question' : MEASURES[rule.measure].label;

/**
 * The obvious mistakes, before anything is sent: empty or too short texts, thresholds that are not
 * numbers (or outside what the reading can be), times not HH:MM, counts that are not whole numbers.
 * Whether the protocol is clinically right is the author's and the reviewer's to judge.
 */
export function checkForm(original: Protocol, form: EditorForm): EditorErrors {
  const errors: EditorErrors = {};
  if (form.title.trim().length < 3) {
    errors[FIELD.title] = 'Enter a title of at least 3 characters';
  }
  if (form.purpose.trim().length < 10) {
    errors[FIELD.purpose] = 'Enter who the protocol is for, in at least 10 characters';
  }
  form.prompts.forEach((text, i) => {
    const length = text.trim().length;
    if (length < 5) {
      errors[FIELD.prompt(i)] = `Enter the text of question ${i + 1}, at least 5 characters`;
    } else if (length > 306) {
      errors[FIELD.prompt(i)] = `Question ${i + 1} must be 306 characters or fewer (two text messages)`;
    }
  });
  const times = splitTimes(form.times);
  if (times.length === 0) {
    errors[FIELD.times] = 'Enter at least one time to send the question, like 10:00';
  } else if (times.some((t) => !TIME.test(t))) {
    const bad = times.find((t) => !TIME.test(t))!;
    errors[FIELD.times] = `Enter times as hours and minutes on the 24-hour clock, like 08:00 or 18:30 (not “${bad}”)`;
  } else if (times.length > 6) {
    errors[FIELD.times] = 'Enter no more than 6 times a day';
  } else if (new Set(times).size !== times.length) {
    errors[FIELD.times] = 'Enter each time only once';
  }
  original.levels.forEach((rule, i) => {
    const fields = form.levels[i]!;
    const name = `rule ${i + 1} (${measureName(rule)})`;
    const value = toNumber(fields.value);
    const range = MEASURES[rule.measure];
    if (!fields.value.trim()) {
      errors[FIELD.ruleValue(i)] = `Enter the threshold of ${name}`;
    } else if (Number.isNaN(value)) {
      errors[FIELD.ruleValue(i)] = `The threshold of ${name} must be a number, like ${String(valueOf(rule) ?? 1)}`;
    } else if (value < range.min || value > range.max) {
      errors[FIELD.ruleValue(i)] =
        `The threshold of ${name} must be between ${range.min} and ${range.max}${range.unit ? ` ${range.unit}` : ''}`;
    }
    if (fields.reason.trim().length < 3) {
      errors[FIELD.ruleReason(i)] = `Enter the reason for ${name}, at least 3 characters`;
    }
  });
  for (const level of ['green', 'amber', 'red'] as const) {
    if (form.replies[level].trim().length < 3) {
      errors[FIELD.reply(level)] = `Enter the reply to a ${level} reading`;
    }
  }
  if (!WHOLE.test(form.remindAfterMinutes.trim()) || Number(form.remindAfterMinutes) > 720) {
    errors[FIELD.remind] = 'Minutes before a reminder must be a whole number from 0 to 720';
  }
  if (!WHOLE.test(form.alertAfterMisses.trim()) || Number(form.alertAfterMisses) > 30) {
    errors[FIELD.misses] = 'Missed texts before the team is alerted must be a whole number from 0 to 30';
  }
  return errors;
}

/**
 * The field a server issue is about, from its `expression` (the path in the protocol JSON:
 * `replies.green`, `levels.2.below`, `schedule.times.1`); the form itself when no field shows it.
 */
export function fieldOf(expression: string | undefined): string {
  const parts = (expression ?? '').split('.');
  const index = Number(parts[1]);
  switch (parts[0]) {
    case 'title':
    case 'purpose':
      return parts[0];
    case 'prompts':
      return Number.isInteger(index) && parts[2] === 'text' ? FIELD.prompt(index) : FIELD.form;
    case 'schedule':
      return parts[1] === 'times' ? FIELD.times : FIELD.form;
    case 'levels':
      if (!Number.isInteger(index)) {
        return FIELD.form;
      }
      return parts[2] === 'reason'
        ? FIELD.ruleReason(index)
        : parts[2] === 'level'
          ? FIELD.ruleLevel(index)
          : FIELD.ruleValue(index);
    case 'replies':
      return parts[1] === 'green' || parts[1] === 'amber' || parts[1] === 'red' ? FIELD.reply(parts[1]) : FIELD.form;
    case 'escalate':
      return FIELD.escalate;
    case 'missed':
      return parts[1] === 'remindAfterMinutes'
        ? FIELD.remind
        : parts[1] === 'alertAfterMisses'
          ? FIELD.misses
          : FIELD.form;
    default:
      return FIELD.form;
  }
}

/** A 400 OperationOutcome's issues as form errors (several on one field are joined). */
export function serverErrors(outcome: OperationOutcome | undefined, fallback: string): EditorErrors {
  const errors: EditorErrors = {};
  for (const issue of outcome?.issue ?? []) {
    if (issue.severity !== 'error' && issue.severity !== 'fatal') {
      continue;
    }
    const field = fieldOf(issue.expression?.[0]);
    const text = (issue.diagnostics ?? issue.details?.text ?? '').trim();
    if (text) {
      errors[field] = errors[field] ? `${errors[field]}; ${text}` : `CareWeave refused this: ${text}`;
    }
  }
  return Object.keys(errors).length ? errors : { [FIELD.form]: fallback };
}

/** One line of "Check your changes": what, and its value before and after. */
export interface Change {
  what: string;
  before: string;
  after: string;
}

const ruleWords = (rule: LevelRule): string =>
  `${LEVEL_NAME[rule.level]}: ${
    rule.measure === 'answer'
      ? `the answer is ${rule.equals === 1 ? 'yes' : 'no'}`
      : `${measureName(rule)} ${describeCondition(rule).toLowerCase()}`
  } (${rule.reason})`;

const alertsWords = (escalate: Protocol['escalate']): string =>
  escalate.length
    ? `${LEVEL_NAME[escalate[0]!]}${escalate.length > 1 ? ` and ${escalate.slice(1).join(' and ')}` : ''} readings`
    : 'Never';

const missedWords = (missed: Protocol['missed']): string =>
  `${missed.remindAfterMinutes ? `Remind after ${missed.remindAfterMinutes} minutes` : 'No reminder'}; ${
    missed.alertAfterMisses ? `alert the team after ${missed.alertAfterMisses} missed in a row` : 'never alert the team'
  }`;

/** What differs from the published version to the edited one, in the form's order. */
export function changesBetween(before: Protocol, after: Protocol): Change[] {
  const changes: Change[] = [];
  const add = (what: string, a: string, b: string): void => {
    if (a !== b) {
      changes.push({ what, before: a, after: b });
    }
  };
  add('Title', before.title, after.title);
  add('Who it is for', before.purpose, after.purpose);
  before.prompts.forEach((prompt, i) => add(`Question ${i + 1}`, prompt.text, after.prompts[i]?.text ?? ''));
  add('Times', before.schedule.times.join(', '), after.schedule.times.join(', '));
  before.levels.forEach((rule, i) =>
    add(`Rule ${i + 1}`, ruleWords(rule), after.levels[i] ? ruleWords(after.levels[i]) : ''),
  );
  for (const level of ['green', 'amber', 'red'] as const) {
    add(`Reply to a ${level} reading`, before.replies[level], after.replies[level]);
  }
  add('Alerts the team', alertsWords(before.escalate), alertsWords(after.escalate));
  add('Missed readings', missedWords(before.missed), missedWords(after.missed));
  return changes;
}

/** Who may publish a protocol version (the server's rule too): clinicians (R8000) and nurses (R8001). */
export const AUTHOR_ROLES: readonly string[] = ['R8000', 'R8001'];
export const mayEditProtocols = (roleCode: string | undefined): boolean =>
  roleCode !== undefined && AUTHOR_ROLES.includes(roleCode);
