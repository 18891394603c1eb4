import type { ProtocolInput } from '../model.ts';
import { question, SNOMED } from './codes.ts';

/**
 * Asthma: peak flow against the patient's own best, as a personalised asthma action plan does (NICE
 * NG245 Asthma, BTS/NICE/SIGN 2024, 1.11 on self-management; the BTS/SIGN zones: below 80 % of best,
 * use the reliever and follow the plan; below 50 %, a severe attack, get help now). Enrolment needs
 * the patient's best peak flow: without it the percentage rules could never fire.
 */
export const asthma: ProtocolInput = {
  id: 'asthma',
  version: 1,
  title: 'Asthma peak flow',
  purpose: 'Morning and evening peak flow, against the patient’s personal best, for people with asthma.',
  condition: { system: SNOMED, code: '195967001', display: 'Asthma' },
  guideline: {
    citation: 'NICE NG245 Asthma: diagnosis, monitoring and chronic asthma management (BTS, NICE, SIGN, 2024)',
    url: 'https://www.nice.org.uk/guidance/ng245',
  },
  schedule: { times: ['08:00', '20:00'], days: 'daily' },
  prompts: [
    {
      id: 'peakflow',
      text: 'CareWeave: please blow into your peak flow meter 3 times and reply with the best of the 3, like this: 350',
      expecting: ['peakflow'],
    },
    {
      id: 'reliever',
      text: 'Have you used your reliever (blue) inhaler more than usual today? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('reliever-more', 'Used reliever inhaler more than usual'),
    },
  ],
  levels: [
    { measure: 'peakflow-percent-best', level: 'red', below: 50, reason: 'Peak flow below 50% of best' },
    { measure: 'peakflow-percent-best', level: 'amber', below: 80, reason: 'Peak flow below 80% of best' },
    { measure: 'answer', level: 'amber', equals: 1, reason: 'Using the reliever more than usual' },
  ],
  needs: ['personal-best-peak-flow'],
  replies: {
    green: 'Thank you, your reading has been recorded. Keep taking your preventer inhaler as usual.',
    amber:
      'Thank you. Your asthma is not as well controlled as it should be: follow the amber part of your asthma action ' +
      'plan. Your asthma nurse has been told. If it gets worse, call 111 or your practice.',
    red:
      'Your peak flow is very low: this may be an asthma attack. Use your reliever inhaler now as your plan says, and ' +
      'call 999 if you are no better or are too breathless to speak. Your team has been alerted.',
  },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 120, alertAfterMisses: 4 },
  catchUpMinutes: 120,
};
