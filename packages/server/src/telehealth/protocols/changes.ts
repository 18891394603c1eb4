/**
 * What changed between two versions of a protocol, in words a clinician reviewing a patient's move to
 * the new version can check: each rule, reply, schedule or escalation that differs.
 */
import type { LevelRule, Protocol } from './model.ts';

const ruleText = (rule: LevelRule): string => {
  const bound =
    rule.below !== undefined
      ? `below ${rule.below}`
      : rule.atLeast !== undefined
        ? `${rule.atLeast} or more`
        : `equal to ${rule.equals ?? '?'}`;
  return `${rule.level}: ${rule.measure} ${bound} (${rule.reason})`;
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The differences from `before` to `after`, one line each (empty when only the version differs). */
export function describeChanges(before: Protocol, after: Protocol): string[] {
  const changes: string[] = [];
  const oldRules = new Set(before.levels.map(ruleText));
  const newRules = new Set(after.levels.map(ruleText));
  for (const rule of newRules) {
    if (!oldRules.has(rule)) {
      changes.push(`New rule: ${rule}`);
    }
  }
  for (const rule of oldRules) {
    if (!newRules.has(rule)) {
      changes.push(`Rule removed: ${rule}`);
    }
  }
  if (!same(before.trends, after.trends) || !same(before.totals, after.totals)) {
    changes.push('Trend or total rules changed');
  }
  for (const level of ['green', 'amber', 'red'] as const) {
    if (before.replies[level] !== after.replies[level]) {
      changes.push(`Reply to a ${level} reading: "${after.replies[level]}"`);
    }
  }
  if (!same(before.escalate, after.escalate)) {
    changes.push(`Alerts the team for: ${after.escalate.join(' and ') || 'nothing'}`);
  }
  if (!same(before.schedule, after.schedule)) {
    const days = after.schedule.days === 'daily' ? 'daily' : after.schedule.days.join(', ');
    changes.push(`Schedule: ${after.schedule.times.join(' and ')} (${days})`);
  }
  if (!same(before.prompts, after.prompts)) {
    changes.push('Questions changed: ' + after.prompts.map((p) => `"${p.text}"`).join('; '));
  }
  if (!same(before.missed, after.missed)) {
    changes.push(
      `Missed readings: remind after ${after.missed.remindAfterMinutes} min, alert after ${after.missed.alertAfterMisses} misses`,
    );
  }
  return changes;
}
