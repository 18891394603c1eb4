import type { ProtocolInput } from '../model.ts';
import { EMERGENCY, question, SNOMED } from './codes.ts';

/**
 * Heart failure: daily weight and symptoms (NICE NG106 1.4 on monitoring, and the heart failure
 * self-care advice it points to: a gain of 2 kg in 3 days is fluid building up). Amber: that gain, or
 * more breathless or more swollen ankles; red: a gain of 3 kg or more in 3 days.
 */
export const heartFailure: ProtocolInput = {
  id: 'heart-failure',
  version: 1,
  title: 'Heart failure daily weight',
  purpose: 'Daily weight and symptoms for people with heart failure, to catch fluid building up.',
  condition: { system: SNOMED, code: '84114007', display: 'Heart failure' },
  guideline: {
    citation: 'NICE NG106 Chronic heart failure in adults (2018)',
    url: 'https://www.nice.org.uk/guidance/ng106',
  },
  schedule: { times: ['08:00'], days: 'daily' },
  prompts: [
    {
      id: 'weight',
      text: 'CareWeave: please weigh yourself after using the toilet and before breakfast, and reply with your weight in kg, like this: 82.5',
      expecting: ['weight'],
    },
    {
      id: 'symptoms',
      text: 'Are you more breathless, or are your ankles more swollen, than usual? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('hf-symptoms-worse', 'More breathless or more swollen ankles than usual'),
    },
  ],
  levels: [{ measure: 'answer', level: 'amber', equals: 1, reason: 'More breathless or swollen ankles' }],
  trends: [
    { measure: 'weight', change: 3, withinDays: 3, level: 'red', reason: 'Weight up 3 kg or more in 3 days' },
    { measure: 'weight', change: 2, withinDays: 3, level: 'amber', reason: 'Weight up 2 kg or more in 3 days' },
  ],
  replies: {
    green: 'Thank you, your weight has been recorded.',
    amber:
      'Thank you. Your weight or symptoms suggest fluid may be building up: your heart failure team has been told and ' +
      'will contact you. Follow your plan for extra water tablets if you have one. ' +
      EMERGENCY,
    red:
      'Your weight has gone up quickly: your heart failure team has been alerted and will call you today. If you are ' +
      'very breathless, have chest pain or cannot lie flat, call 999 now.',
  },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 3 },
  catchUpMinutes: 180,
};
