import type { ProtocolInput } from '../model.ts';
import { EMERGENCY, question, SNOMED } from './codes.ts';

/**
 * Atrial fibrillation, rate control (NICE NG196 1.6: a lenient resting rate target below 110 beats a
 * minute). Amber: resting pulse 110 or more; red: 130 or more, below 40, or faintness, dizziness or
 * chest pain.
 */
export const atrialFibrillation: ProtocolInput = {
  id: 'atrial-fibrillation',
  version: 1,
  title: 'Atrial fibrillation pulse',
  purpose: 'Daily resting pulse and symptoms for people with atrial fibrillation on rate control.',
  condition: { system: SNOMED, code: '49436004', display: 'Atrial fibrillation' },
  guideline: {
    citation: 'NICE NG196 Atrial fibrillation: diagnosis and management (2021)',
    url: 'https://www.nice.org.uk/guidance/ng196',
  },
  schedule: { times: ['09:00'], days: 'daily' },
  prompts: [
    {
      id: 'pulse',
      text: 'CareWeave: please sit for 5 minutes, then check your pulse with your blood pressure monitor and reply with the number, like this: 72',
      expecting: ['pulse'],
    },
    {
      id: 'symptoms',
      text: 'Have you felt faint or dizzy, or had chest pain, since yesterday? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('af-symptoms', 'Faint, dizzy or chest pain'),
    },
  ],
  levels: [
    { measure: 'pulse', level: 'red', atLeast: 130, reason: 'Resting pulse 130 or more' },
    { measure: 'pulse', level: 'red', below: 40, reason: 'Resting pulse below 40' },
    { measure: 'answer', level: 'red', equals: 1, reason: 'Faint, dizzy or chest pain' },
    { measure: 'pulse', level: 'amber', atLeast: 110, reason: 'Resting pulse 110 or more (above the NG196 target)' },
  ],
  replies: {
    green: 'Thank you, your reading has been recorded.',
    amber: 'Thank you. Your pulse is faster than we would like: your care team has been told. ' + EMERGENCY,
    red:
      'Your pulse or symptoms need checking today: your care team has been alerted. If you have chest pain, or feel ' +
      'faint or very unwell, call 999 now.',
  },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 3 },
  catchUpMinutes: 120,
};
