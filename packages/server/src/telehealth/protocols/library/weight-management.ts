import type { ProtocolInput } from '../model.ts';
import { SNOMED } from './codes.ts';

/**
 * Weight management: a weekly weight with encouragement (NICE NG246 Overweight and obesity management,
 * 2025: regular self-weighing supports weight loss and its maintenance). No red level: nothing here is
 * urgent. Amber, to the coach: a gain of 3 kg in 4 weeks, or a loss of 6 kg in 4 weeks (faster than
 * the 0.5–1 kg a week that is safe outside a supervised very-low-calorie diet).
 */
export const weightManagement: ProtocolInput = {
  id: 'weight-management',
  version: 1,
  title: 'Weight management (weekly)',
  purpose: 'A weekly weight and encouragement for people on a weight management programme.',
  condition: { system: SNOMED, code: '414916001', display: 'Obesity' },
  guideline: {
    citation: 'NICE NG246 Overweight and obesity management (2025)',
    url: 'https://www.nice.org.uk/guidance/ng246',
  },
  schedule: { times: ['08:00'], days: ['mon'], durationDays: 84 },
  prompts: [
    {
      id: 'weight',
      text: 'CareWeave: time for your weekly weigh-in. Please reply with your weight in kg, like this: 82.5 (or in stones and pounds, like this: 13st 2lb)',
      expecting: ['weight'],
    },
  ],
  levels: [],
  trends: [
    { measure: 'weight', change: 3, withinDays: 28, level: 'amber', reason: 'Weight up 3 kg in 4 weeks' },
    {
      measure: 'weight',
      change: -6,
      withinDays: 28,
      level: 'amber',
      reason: 'Weight down 6 kg in 4 weeks (faster than is safe)',
    },
  ],
  replies: {
    green: 'Thank you, your weight has been recorded. Keep going: small, steady changes last.',
    amber: 'Thank you, your weight has been recorded. Your coach will be in touch to talk about how things are going.',
    red: 'Thank you, your weight has been recorded. Your coach will be in touch.',
  },
  escalate: ['amber'],
  missed: { remindAfterMinutes: 240, alertAfterMisses: 3 },
  catchUpMinutes: 240,
};
