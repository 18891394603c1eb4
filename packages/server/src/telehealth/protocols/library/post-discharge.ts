import type { ProtocolInput } from '../model.ts';
import { EMERGENCY, question, SNOMED } from './codes.ts';

/**
 * After leaving hospital: a daily check-in for 14 days (NICE NG27 Transition between inpatient
 * hospital settings and community or care home settings, 1.6 on follow-up). Worse than yesterday is
 * amber; asking for help today is red, so the community team calls the same day.
 */
export const postDischarge: ProtocolInput = {
  id: 'post-discharge',
  version: 1,
  title: 'After hospital check-in (14 days)',
  purpose: 'A daily check-in for two weeks after someone comes home from hospital.',
  condition: { system: SNOMED, code: '58000006', display: 'Patient discharge' },
  guideline: {
    citation: 'NICE NG27 Transition between inpatient hospital settings and community or care home settings (2015)',
    url: 'https://www.nice.org.uk/guidance/ng27',
  },
  schedule: { times: ['10:00'], days: 'daily', durationDays: 14 },
  prompts: [
    {
      id: 'feeling',
      text: 'CareWeave: how are you feeling today compared with yesterday? Reply 1 (better), 2 (the same) or 3 (worse)',
      expecting: ['score'],
      maxScore: 3,
      questionCode: question('feeling-vs-yesterday', 'Feeling compared with yesterday (1 better, 2 same, 3 worse)'),
    },
    {
      id: 'help',
      text: 'Do you need help from your care team today? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('needs-help-today', 'Needs help from the care team today'),
    },
  ],
  levels: [
    { measure: 'answer', level: 'red', equals: 1, reason: 'Asked for help today' },
    { measure: 'score', level: 'amber', equals: 3, reason: 'Feeling worse than yesterday' },
    { measure: 'score', level: 'amber', equals: 0, reason: 'Answered 0: not one of the choices, check in' },
  ],
  replies: {
    green: 'Thank you. We will check in again tomorrow.',
    amber: 'Thank you for telling us. Your community team has been told and will contact you. ' + EMERGENCY,
    red: 'Your community team has been alerted and will call you today. ' + EMERGENCY,
  },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 2 },
  catchUpMinutes: 180,
};
