import type { ProtocolInput } from '../model.ts';
import { question } from './codes.ts';

/**
 * Medication reminders: a daily prompt and a yes/no (NICE NG5 Medicines optimisation, 1.2 on
 * patient-centred approaches; NICE CG76 Medicines adherence). A missed dose is amber for the team's
 * review, never escalated on its own: the patient is told what to do by their medicine's leaflet,
 * and three missed answers in a row alert the team.
 */
export const medicationReminder: ProtocolInput = {
  id: 'medication-reminder',
  version: 1,
  title: 'Medication reminder',
  purpose: 'A daily reminder to take medicines, and a check that they were taken.',
  guideline: {
    citation: 'NICE NG5 Medicines optimisation (2015); NICE CG76 Medicines adherence (2009)',
    url: 'https://www.nice.org.uk/guidance/ng5',
  },
  schedule: { times: ['09:00'], days: 'daily' },
  prompts: [
    {
      id: 'taken',
      text: 'CareWeave: a reminder to take your morning medicines. Have you taken them? Reply YES or NO',
      expecting: ['yesno'],
      questionCode: question('medicines-taken', 'Morning medicines taken'),
    },
  ],
  levels: [{ measure: 'answer', level: 'amber', equals: 0, reason: 'Medicines not taken' }],
  replies: {
    green: 'Thank you.',
    amber:
      'Thank you for letting us know. Take them as soon as you remember unless it is nearly time for the next dose: ' +
      'your medicine’s leaflet says what to do. Do not take a double dose.',
    red: 'Thank you for letting us know.',
  },
  escalate: [],
  missed: { remindAfterMinutes: 60, alertAfterMisses: 3 },
  catchUpMinutes: 90,
};
