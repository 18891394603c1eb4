import type { ProtocolInput } from '../model.ts';
import { EMERGENCY, question, SNOMED } from './codes.ts';

/**
 * COPD: spotting an exacerbation early (NICE NG115 1.2.115–1.2.121 on self-management and
 * exacerbations; oxygen targets from the BTS guideline for oxygen use, 2017). Red: SpO2 below 88 %,
 * pulse 130 or more. Amber: SpO2 below 92 %, pulse 110 or more, or more breathless than usual.
 * A patient at risk of hypercapnia has their clinician set lower SpO2 thresholds (target 88–92 %) as
 * their own, which replace these.
 */
export const copd: ProtocolInput = {
  id: 'copd',
  version: 1,
  title: 'COPD daily check',
  purpose: 'Daily oxygen level, pulse and breathlessness for people with COPD, to spot a flare-up early.',
  condition: { system: SNOMED, code: '13645005', display: 'Chronic obstructive lung disease' },
  guideline: {
    citation: 'NICE NG115 COPD in over 16s (2018, updated 2019); BTS guideline for oxygen use in adults (2017)',
    url: 'https://www.nice.org.uk/guidance/ng115',
  },
  schedule: { times: ['10:00'], days: 'daily' },
  prompts: [
    {
      id: 'oximetry',
      text: 'CareWeave: please check your oxygen level and pulse with your oximeter, at rest, and reply like this: 95 72',
      expecting: ['spo2', 'pulse'],
    },
    {
      id: 'breathless',
      text: 'Are you more breathless than usual today? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('more-breathless', 'More breathless than usual'),
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
  replies: {
    green: 'Thank you, your reading has been recorded. Keep using your inhalers as usual.',
    amber:
      'Thank you. Your reading suggests your COPD may be flaring up: follow your COPD action plan, and your care ' +
      'team has been told and will contact you. ' +
      EMERGENCY,
    red:
      'Your oxygen level or pulse is worrying: your care team has been alerted and will call you today. If you are ' +
      'very breathless, confused or have blue lips, call 999 now.',
  },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 3 },
  catchUpMinutes: 120,
};
