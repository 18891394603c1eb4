/**
 * A reply to one of a protocol's prompts, assessed: what was read, its level (the worst of the level
 * rules, the trend rules and, when the prompt completes one, a total), why, and the automatic answer.
 * Pure: the telehealth service records the result (Observations, a Flag and Task when escalated).
 */
import { problemText } from '../replies/messages.ts';
import { parseReply, type ParsedReply } from '../replies/parse.ts';
import {
  levelOfValues,
  rulesFor,
  ruleValues,
  trendsBroken,
  worse,
  type PastValue,
  type PatientThresholds,
} from './levels.ts';
import type { Level, Protocol, RuleMeasure, TotalRule } from './model.ts';

export interface Assessment {
  parsed: ParsedReply;
  level: Level;
  reasons: string[];
  /** The level's reply, or what to ask again; undefined for a command (the service answers those). */
  reply?: string;
  /** Whether the team is alerted (the protocol escalates this level). */
  escalate: boolean;
  /** Totals completed by this reply, e.g. the PHQ-2 total. */
  totals: { rule: TotalRule; value: number }[];
}

export interface AssessContext {
  thresholds?: PatientThresholds;
  /** The patient's earlier values, for trend rules. */
  history?: readonly PastValue[];
  /** Scores already given to other prompts of this round, by prompt id (for totals). */
  roundScores?: Readonly<Record<string, number>>;
  now?: Date;
}

export function assessReply(
  protocol: Protocol,
  promptId: string,
  text: string,
  context: AssessContext = {},
): Assessment {
  const prompt = protocol.prompts.find((p) => p.id === promptId);
  if (!prompt) {
    throw new Error(`Protocol ${protocol.id} has no prompt '${promptId}'`);
  }
  const parsed = parseReply(text, prompt.expecting, prompt.maxScore === undefined ? {} : { maxScore: prompt.maxScore });
  if (parsed.command) {
    return { parsed, level: 'green', reasons: [], escalate: false, totals: [] };
  }
  const rules = rulesFor(protocol, context.thresholds);
  let level: Level = 'green';
  const reasons: string[] = [];
  const raise = (at: Level, why: string): void => {
    if (at === level) {
      reasons.push(why);
    } else if (worse(at, level) === at) {
      level = at;
      reasons.splice(0, reasons.length, why);
    }
  };
  const now = context.now ?? new Date();
  for (const reading of parsed.readings) {
    const values = ruleValues(reading, context.thresholds);
    const result = levelOfValues(rules, values);
    result.reasons.forEach((why) => raise(result.level, why));
    for (const [measure, value] of Object.entries(values) as [RuleMeasure, number][]) {
      const broken = trendsBroken(protocol.trends, { measure, value, at: now }, context.history ?? []);
      broken.forEach((rule) => raise(rule.level, rule.reason));
    }
  }
  const totals = completedTotals(protocol, promptId, parsed, context.roundScores ?? {});
  for (const { rule, value } of totals) {
    if (value >= rule.atLeast) {
      raise(rule.level, rule.reason);
    }
  }
  const problems = problemText(parsed);
  const reply = parsed.readings.length
    ? [protocol.replies[level], problems].filter(Boolean).join(' ')
    : (problems ?? protocol.replies[level]);
  return { parsed, level, reasons, reply, escalate: (protocol.escalate as Level[]).includes(level), totals };
}

function completedTotals(
  protocol: Protocol,
  promptId: string,
  parsed: ParsedReply,
  roundScores: Readonly<Record<string, number>>,
): { rule: TotalRule; value: number }[] {
  const score = parsed.readings.find((r) => r.expectation === 'score')?.values.score;
  if (score === undefined) {
    return [];
  }
  const scores = { ...roundScores, [promptId]: score };
  return protocol.totals
    .filter((rule) => rule.prompts.includes(promptId) && rule.prompts.every((id) => scores[id] !== undefined))
    .map((rule) => ({ rule, value: rule.prompts.reduce((sum, id) => sum + scores[id]!, 0) }));
}
