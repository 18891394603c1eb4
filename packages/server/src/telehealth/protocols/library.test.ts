/**
 * Every clinical rule of the protocol library, proven: the reading at, just inside and just outside
 * each threshold, the trend and total rules, and each protocol's escalation. docs/CLINICAL-SAFETY.md
 * (H-101 onwards) names these tests.
 */
import { describe, expect, it } from 'vitest';
import { assessReply, type AssessContext } from './assess.ts';
import { libraryProtocol, PROTOCOL_LIBRARY } from './library/index.ts';
import type { Level } from './model.ts';

type Case = [protocol: string, prompt: string, text: string, level: Level, escalate: boolean, context?: AssessContext];

const DAY = 86_400_000;
const NOW = new Date('2026-12-06T09:00:00Z');
const weightsBefore = (...kg: [daysAgo: number, value: number][]): AssessContext => ({
  now: NOW,
  history: kg.map(([daysAgo, value]) => ({ measure: 'weight', value, at: new Date(NOW.getTime() - daysAgo * DAY) })),
});
const spo2Before = (daysAgo: number, value: number): AssessContext => ({
  now: NOW,
  history: [{ measure: 'spo2', value, at: new Date(NOW.getTime() - daysAgo * DAY) }],
});

const CASES: Case[] = [
  // Home blood pressure (NG136).
  ['home-bp', 'bp', '128/82', 'green', false],
  ['home-bp', 'bp', '149/94', 'green', false],
  ['home-bp', 'bp', '150/80', 'amber', false],
  ['home-bp', 'bp', '140/95', 'amber', false],
  ['home-bp', 'bp', '179/119', 'amber', false],
  ['home-bp', 'bp', '180/100', 'red', true],
  ['home-bp', 'bp', '170/120', 'red', true],
  ['home-bp', 'bp', '89/60', 'red', true],
  ['home-bp', 'bp', '90/60', 'green', false],
  // COPD (NG115, BTS oxygen).
  ['copd', 'oximetry', '95 80', 'green', false],
  ['copd', 'oximetry', '92 80', 'green', false],
  ['copd', 'oximetry', '91 80', 'amber', true],
  ['copd', 'oximetry', '88 80', 'amber', true],
  ['copd', 'oximetry', '87 80', 'red', true],
  ['copd', 'oximetry', '95 109', 'green', false],
  ['copd', 'oximetry', '95 110', 'amber', true],
  ['copd', 'oximetry', '95 130', 'red', true],
  ['copd', 'breathless', 'yes', 'amber', true],
  ['copd', 'breathless', 'no', 'green', false],
  ['copd', 'oximetry', '93 80', 'amber', true, spo2Before(2, 97)],
  ['copd', 'oximetry', '93 80', 'green', false, spo2Before(4, 97)],
  // Heart failure (NG106).
  ['heart-failure', 'weight', '82.0', 'green', false, weightsBefore([1, 81.5])],
  ['heart-failure', 'weight', '82.0', 'amber', true, weightsBefore([3, 80.0])],
  ['heart-failure', 'weight', '83.0', 'red', true, weightsBefore([2, 80.0])],
  ['heart-failure', 'weight', '82.0', 'green', false, weightsBefore([4, 79.0])],
  ['heart-failure', 'weight', '80.0', 'green', false, weightsBefore([1, 83.0])],
  ['heart-failure', 'symptoms', 'yes', 'amber', true],
  ['heart-failure', 'symptoms', 'no', 'green', false],
  // Type 2 diabetes (NG28).
  ['diabetes', 'glucose', '6.5', 'green', false],
  ['diabetes', 'glucose', '4.0', 'green', false],
  ['diabetes', 'glucose', '3.9', 'red', true],
  ['diabetes', 'glucose', '14.9', 'green', false],
  ['diabetes', 'glucose', '15', 'amber', false],
  ['diabetes', 'glucose', '20.1', 'red', true],
  // Asthma (NG245): best peak flow 500.
  ['asthma', 'peakflow', '450', 'green', false, { thresholds: { personalBestPeakFlow: 500 } }],
  ['asthma', 'peakflow', '400', 'green', false, { thresholds: { personalBestPeakFlow: 500 } }],
  ['asthma', 'peakflow', '395', 'amber', true, { thresholds: { personalBestPeakFlow: 500 } }],
  ['asthma', 'peakflow', '250', 'amber', true, { thresholds: { personalBestPeakFlow: 500 } }],
  ['asthma', 'peakflow', '245', 'red', true, { thresholds: { personalBestPeakFlow: 500 } }],
  ['asthma', 'reliever', 'yes', 'amber', true],
  // Atrial fibrillation (NG196).
  ['atrial-fibrillation', 'pulse', '88', 'green', false],
  ['atrial-fibrillation', 'pulse', '110', 'amber', true],
  ['atrial-fibrillation', 'pulse', '130', 'red', true],
  ['atrial-fibrillation', 'pulse', '39', 'red', true],
  ['atrial-fibrillation', 'pulse', '40', 'green', false],
  ['atrial-fibrillation', 'symptoms', 'yes', 'red', true],
  // Mood (PHQ-2): the total of both items.
  ['mood-phq2', 'interest', '3', 'green', false],
  ['mood-phq2', 'down', '1', 'green', false, { roundScores: { interest: 1 } }],
  ['mood-phq2', 'down', '2', 'amber', true, { roundScores: { interest: 1 } }],
  ['mood-phq2', 'down', '0', 'amber', true, { roundScores: { interest: 3 } }],
  // Weight management (NG246).
  ['weight-management', 'weight', '90', 'green', false, weightsBefore([7, 91])],
  ['weight-management', 'weight', '94', 'amber', true, weightsBefore([21, 91])],
  ['weight-management', 'weight', '84', 'amber', true, weightsBefore([21, 90])],
  ['weight-management', 'weight', '94', 'green', false, weightsBefore([35, 91])],
  // Stopping smoking (NG209).
  ['smoking-cessation', 'smoked', 'no', 'green', false],
  ['smoking-cessation', 'smoked', 'yes', 'amber', true],
  // Medication reminders (NG5): never escalated on one answer.
  ['medication-reminder', 'taken', 'yes', 'green', false],
  ['medication-reminder', 'taken', 'no', 'amber', false],
  // After hospital (NG27).
  ['post-discharge', 'feeling', '1', 'green', false],
  ['post-discharge', 'feeling', '2', 'green', false],
  ['post-discharge', 'feeling', '3', 'amber', true],
  ['post-discharge', 'feeling', '0', 'amber', true],
  ['post-discharge', 'help', 'yes', 'red', true],
  ['post-discharge', 'help', 'no', 'green', false],
];

describe('the protocol library', () => {
  it('has the eleven protocols the strategy names, each citing its guideline', () => {
    expect(PROTOCOL_LIBRARY.map((p) => p.id)).toEqual([
      'home-bp',
      'copd',
      'heart-failure',
      'diabetes',
      'asthma',
      'atrial-fibrillation',
      'mood-phq2',
      'weight-management',
      'smoking-cessation',
      'medication-reminder',
      'post-discharge',
    ]);
    for (const protocol of PROTOCOL_LIBRARY) {
      expect(protocol.guideline.url).toMatch(/^https:\/\/www\.nice\.org\.uk\/guidance\//);
    }
  });

  it.each(CASES)('%s %s %j → %s (escalated: %s)', (protocolId, prompt, text, level, escalate, context) => {
    const assessment = assessReply(libraryProtocol(protocolId)!, prompt, text, context);
    expect(assessment.parsed.problems).toEqual([]);
    expect(assessment.level).toBe(level);
    expect(assessment.escalate).toBe(escalate);
    expect(assessment.reply).toBe(libraryProtocol(protocolId)!.replies[level]);
  });

  it('tests every level rule and trend rule of every protocol at least once', () => {
    const covered = new Set(CASES.map(([protocol]) => protocol));
    for (const protocol of PROTOCOL_LIBRARY) {
      expect(covered.has(protocol.id), protocol.id).toBe(true);
      const raised = new Set(
        CASES.filter(([id]) => id === protocol.id).flatMap(
          ([, prompt, text, , , context]) => assessReply(protocol, prompt, text, context).reasons,
        ),
      );
      for (const rule of [...protocol.levels, ...protocol.trends, ...protocol.totals]) {
        expect(raised.has(rule.reason), `${protocol.id}: ${rule.reason}`).toBe(true);
      }
    }
  });

  it("uses a patient's own thresholds in place of the protocol's (a COPD target of 88-92%)", () => {
    const copd = libraryProtocol('copd')!;
    const own = {
      overrides: [
        { measure: 'spo2' as const, level: 'red' as const, below: 85, reason: 'Oxygen below 85% (own target 88-92%)' },
        {
          measure: 'spo2' as const,
          level: 'amber' as const,
          below: 88,
          reason: 'Oxygen below 88% (own target 88-92%)',
        },
      ],
    };
    expect(assessReply(copd, 'oximetry', '89 80', { thresholds: own }).level).toBe('green');
    expect(assessReply(copd, 'oximetry', '87 80', { thresholds: own }).level).toBe('amber');
    expect(assessReply(copd, 'oximetry', '84 80', { thresholds: own }).level).toBe('red');
    // The other measures keep the protocol's rules.
    expect(assessReply(copd, 'oximetry', '90 130', { thresholds: own }).level).toBe('red');
  });

  it('without a best peak flow, an asthma reading cannot be judged: enrolment must ask for one', () => {
    expect(libraryProtocol('asthma')!.needs).toEqual(['personal-best-peak-flow']);
  });

  it('records nothing and asks again for an implausible reading, whatever the protocol', () => {
    const assessment = assessReply(libraryProtocol('home-bp')!, 'bp', '90/140');
    expect(assessment.parsed.readings).toEqual([]);
    expect(assessment.level).toBe('green');
    expect(assessment.escalate).toBe(false);
    expect(assessment.reply).toMatch(/doesn't look right/);
  });

  it('every prompt fits in two text messages', () => {
    for (const protocol of PROTOCOL_LIBRARY) {
      for (const prompt of protocol.prompts) {
        expect(prompt.text.length, `${protocol.id}/${prompt.id}`).toBeLessThanOrEqual(306);
      }
    }
  });
});
