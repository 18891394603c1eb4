import type { LevelRule, Protocol } from '../protocols/api.ts';
import { describeCondition, MEASURES } from '../protocols/describe.ts';

/**
 * A patient's own thresholds as a form: one box for each of the protocol's numeric level rules,
 * empty meaning "the protocol's value". A measure with any box filled becomes an override: the
 * server replaces all the protocol's rules for that measure with the patient's (`levels.ts`), so
 * every rule of that measure is written, the untouched ones at the protocol's value.
 */
export type ThresholdForm = Record<string, string>;
export type Errors = Record<string, string>;

/** The rules a nurse may set for a patient: all but yes/no answers (those have no threshold). */
export function adjustableRules(protocol: Pick<Protocol, 'levels'>): { id: string; rule: LevelRule }[] {
  return protocol.levels.flatMap((rule, index) =>
    rule.measure === 'answer' ? [] : [{ id: `threshold-${index}`, rule }],
  );
}

const valueOf = (rule: LevelRule): number => (rule.below ?? rule.atLeast ?? rule.equals)!;
const sameShape = (a: LevelRule, b: LevelRule): boolean =>
  a.measure === b.measure &&
  a.level === b.level &&
  (a.below !== undefined) === (b.below !== undefined) &&
  (a.atLeast !== undefined) === (b.atLeast !== undefined);

/** The form for a plan's own thresholds: a box holds a value only where it differs from the protocol. */
export function thresholdForm(protocol: Pick<Protocol, 'levels'>, overrides: readonly LevelRule[]): ThresholdForm {
  const form: ThresholdForm = {};
  for (const { id, rule } of adjustableRules(protocol)) {
    const own = overrides.find((o) => sameShape(o, rule));
    form[id] = own && valueOf(own) !== valueOf(rule) ? String(valueOf(own)) : '';
  }
  return form;
}

const lower = (text: string): string => text[0]!.toLowerCase() + text.slice(1);

/** The problems of the form, by field id (the error summary links to each). */
export function checkThresholds(protocol: Pick<Protocol, 'levels'>, form: ThresholdForm): Errors {
  const errors: Errors = {};
  const rules = adjustableRules(protocol);
  const effective = new Map<string, number>();
  for (const { id, rule } of rules) {
    const text = (form[id] ?? '').trim();
    const measure = MEASURES[rule.measure];
    const name = `the ${rule.level} threshold for ${lower(measure.label)}`;
    if (!text) {
      effective.set(id, valueOf(rule));
    } else if (!/^\d+(\.\d+)?$/.test(text)) {
      errors[id] = `Enter ${name} as a number, like ${valueOf(rule)}`;
    } else if (Number(text) < measure.min || Number(text) > measure.max) {
      errors[id] = `${name[0]!.toUpperCase()}${name.slice(1)} must be between ${measure.min} and ${measure.max}`;
    } else {
      effective.set(id, Number(text));
    }
  }
  // Red must be further out than amber, or the amber rule could never be the one that matches.
  for (const { id, rule } of rules.filter((r) => r.rule.level === 'red' && form[r.id]?.trim())) {
    const amber = rules.find(
      (r) =>
        r.rule.level === 'amber' && r.rule.measure === rule.measure && sameShape({ ...r.rule, level: 'red' }, rule),
    );
    const red = effective.get(id);
    const amberValue = amber ? effective.get(amber.id) : undefined;
    if (red === undefined || amberValue === undefined || errors[id]) {
      continue;
    }
    const label = lower(MEASURES[rule.measure].label);
    if (rule.below !== undefined && red >= amberValue) {
      errors[id] = `The red threshold for ${label} must be lower than the amber one (${amberValue})`;
    } else if (rule.atLeast !== undefined && red <= amberValue) {
      errors[id] = `The red threshold for ${label} must be higher than the amber one (${amberValue})`;
    }
  }
  return errors;
}

/** The override rules the form asks for (check it first): every rule of each measure changed. */
export function overridesFrom(protocol: Pick<Protocol, 'levels'>, form: ThresholdForm): LevelRule[] {
  const rules = adjustableRules(protocol);
  const changed = new Set(
    rules
      .filter(({ id, rule }) => form[id]?.trim() && Number(form[id]) !== valueOf(rule))
      .map(({ rule }) => rule.measure),
  );
  return rules
    .filter(({ rule }) => changed.has(rule.measure))
    .map(({ id, rule }) => {
      const text = form[id]?.trim();
      const value = text ? Number(text) : valueOf(rule);
      const key = rule.below !== undefined ? 'below' : rule.atLeast !== undefined ? 'atLeast' : 'equals';
      const own = { measure: rule.measure, level: rule.level, [key]: value } as Omit<LevelRule, 'reason'>;
      return {
        ...own,
        reason: `${MEASURES[rule.measure].label} ${lower(describeCondition(own))} (the patient’s own threshold)`,
      };
    });
}
