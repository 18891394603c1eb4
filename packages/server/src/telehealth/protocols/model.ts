/**
 * A telehealth protocol, as data: what to ask and when, what a reading means (green, amber, red),
 * what to answer, whom to alert, what to do about missed readings and worrying trends, and the
 * guideline it follows. Versioned: an enrolled patient keeps the version (and thresholds) they were
 * enrolled on until a clinician reviews the change (docs/TELEHEALTH.md, docs/CLINICAL-SAFETY.md).
 */
import { z } from 'zod';
import { EXPECTATIONS } from '../replies/vocabulary.ts';

export const LEVELS = ['green', 'amber', 'red'] as const;
export type Level = (typeof LEVELS)[number];

/** The values a level rule can test: a measure of a reading, a score, or a yes/no answer. */
export const RULE_MEASURES = [
  'systolic',
  'diastolic',
  'pulse',
  'spo2',
  'temperature',
  'weight',
  'glucose',
  'peakflow',
  'peakflow-percent-best',
  'score',
  'answer',
] as const;
export type RuleMeasure = (typeof RULE_MEASURES)[number];

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM (Europe/London)');
const day = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** `value below 88` is red: the first rule (red, then amber) that matches sets the level; else green. */
export const levelRuleSchema = z
  .object({
    measure: z.enum(RULE_MEASURES),
    level: z.enum(['amber', 'red']),
    below: z.number().optional(),
    atLeast: z.number().optional(),
    equals: z.number().optional(),
    /** Why, in words a clinician reviewing the protocol reads. */
    reason: z.string().min(3),
  })
  .refine((rule) => [rule.below, rule.atLeast, rule.equals].filter((v) => v !== undefined).length === 1, {
    message: 'a rule has exactly one of below, atLeast, equals',
  });
export type LevelRule = z.infer<typeof levelRuleSchema>;

export const promptSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** What the patient is sent. At most 306 characters (two SMS segments). */
  text: z.string().min(5).max(306),
  expecting: z.array(z.enum(EXPECTATIONS)).min(1),
  /** For yes/no and score questions: how the answer is coded (LOINC or SNOMED CT). */
  questionCode: z.object({ system: z.string().url(), code: z.string().min(1), display: z.string().min(1) }).optional(),
  maxScore: z.number().int().min(1).max(27).optional(),
});

export const trendRuleSchema = z.object({
  measure: z.enum(['weight', 'systolic', 'glucose', 'spo2', 'peakflow', 'score']),
  /** A rise (positive) or fall (negative) of at least this much… */
  change: z.number(),
  /** …within this many days. */
  withinDays: z.number().int().min(1).max(90),
  level: z.enum(['amber', 'red']),
  reason: z.string().min(3),
});
export type TrendRule = z.infer<typeof trendRuleSchema>;

/** A score summed over several prompts (PHQ-2: two items, 0–3 each, total 0–6). */
export const totalRuleSchema = z.object({
  prompts: z.array(z.string()).min(2),
  atLeast: z.number(),
  level: z.enum(['amber', 'red']),
  reason: z.string().min(3),
  /** How the total is coded in the record. */
  code: z.object({ system: z.string().url(), code: z.string(), display: z.string() }),
});
export type TotalRule = z.infer<typeof totalRuleSchema>;

/** What must be known about a patient before they can be enrolled. */
export const PROTOCOL_NEEDS = ['personal-best-peak-flow'] as const;

export const protocolSchema = z.object({
  /** Stable across versions: `copd`. */
  id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/),
  version: z.number().int().min(1),
  title: z.string().min(3),
  /** Who it is for, in words. */
  purpose: z.string().min(10),
  /** The condition (SNOMED CT), for the PlanDefinition's use context. */
  condition: z.object({ system: z.string().url(), code: z.string(), display: z.string() }).optional(),
  guideline: z.object({ citation: z.string().min(3), url: z.string().url() }),
  schedule: z.object({
    times: z.array(time).min(1).max(6),
    days: z.union([z.literal('daily'), z.array(day).min(1)]),
    /** Ends after this many days (absent: until stopped). */
    durationDays: z.number().int().min(1).max(3650).optional(),
  }),
  prompts: z.array(promptSchema).min(1),
  levels: z.array(levelRuleSchema),
  trends: z.array(trendRuleSchema).default([]),
  totals: z.array(totalRuleSchema).default([]),
  /** Enrolment is refused until these are recorded for the patient (a rule that cannot fire is a hazard). */
  needs: z.array(z.enum(PROTOCOL_NEEDS)).default([]),
  /** The automatic answer to a reading at each level. */
  replies: z.object({ green: z.string().min(3), amber: z.string().min(3), red: z.string().min(3) }),
  /** Which levels alert the team (a Flag, a Task and a notification). */
  escalate: z.array(z.enum(['amber', 'red'])),
  missed: z.object({
    /** A reminder this many minutes after an unanswered prompt (0: none). */
    remindAfterMinutes: z.number().int().min(0).max(720),
    /** Alert the team after this many unanswered prompts in a row (0: never). */
    alertAfterMisses: z.number().int().min(0).max(30),
  }),
  /** A prompt not sent within this many minutes of its time is skipped, not sent late. */
  catchUpMinutes: z.number().int().min(0).max(240).default(60),
});
export type Protocol = z.infer<typeof protocolSchema>;
export type ProtocolInput = z.input<typeof protocolSchema>;

/** Validates a protocol (the library's and an author's), with errors naming the field. */
export function checkProtocol(input: unknown): Protocol {
  return protocolSchema.parse(input);
}
