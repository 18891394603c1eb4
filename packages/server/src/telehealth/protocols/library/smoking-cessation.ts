import type { ProtocolInput } from '../model.ts';
import { question, SNOMED } from './codes.ts';

/**
 * Stopping smoking: daily support through the first 4 weeks of a quit attempt, when relapse is most
 * likely (NICE NG209 Tobacco: preventing uptake, promoting quitting and treating dependence, 2021,
 * 1.12 on behavioural support). A slip is amber to the stop smoking advisor, never red.
 */
export const smokingCessation: ProtocolInput = {
  id: 'smoking-cessation',
  version: 1,
  title: 'Stop smoking support (4 weeks)',
  purpose: 'A daily check-in through the first 4 weeks after a quit date.',
  condition: { system: SNOMED, code: '77176002', display: 'Smoker' },
  guideline: { citation: 'NICE NG209 Tobacco (2021, updated 2023)', url: 'https://www.nice.org.uk/guidance/ng209' },
  schedule: { times: ['19:00'], days: 'daily', durationDays: 28 },
  prompts: [
    {
      id: 'smoked',
      text: 'CareWeave: have you smoked any cigarettes today, even a puff? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('smoked-today', 'Smoked today'),
    },
  ],
  levels: [{ measure: 'answer', level: 'amber', equals: 1, reason: 'Smoked today' }],
  replies: {
    green: 'Well done! Every smoke-free day counts. If cravings are hard, use your nicotine replacement as advised.',
    amber:
      'Thank you for being honest: a slip does not mean you have failed. Your stop smoking advisor will be in touch. ' +
      'Free help: NHS Smokefree 0300 123 1044.',
    red: 'Thank you. Your stop smoking advisor will be in touch.',
  },
  escalate: ['amber'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 3 },
  catchUpMinutes: 120,
};
