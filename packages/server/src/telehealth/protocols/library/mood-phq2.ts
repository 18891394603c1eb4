import type { ProtocolInput } from '../model.ts';
import { LOINC, SNOMED } from './codes.ts';

const SCALE = 'Reply 0 (not at all), 1 (several days), 2 (more than half the days) or 3 (nearly every day)';
const CRISIS =
  'If you feel you might harm yourself, call 999, or call Samaritans free on 116 123 at any time, or NHS 111 and choose the mental health option.';

/**
 * Mood check with the PHQ-2 (Kroenke 2003; NICE CG91 1.3.1, depression in adults with a chronic
 * physical health problem, asks these two questions). Each item is 0–3; a total of 3 or more is a
 * positive screen that needs a fuller assessment (amber, escalated). Every reply carries crisis
 * numbers, because an SMS service is not watched all the time.
 */
export const moodPhq2: ProtocolInput = {
  id: 'mood-phq2',
  version: 1,
  title: 'Mood check (PHQ-2, weekly)',
  purpose: 'A weekly two-question mood check for people with a long-term condition, or after a mental health referral.',
  condition: { system: SNOMED, code: '35489007', display: 'Depressive disorder' },
  guideline: {
    citation:
      'NICE CG91 Depression in adults with a chronic physical health problem (2009); PHQ-2 (Kroenke et al., 2003)',
    url: 'https://www.nice.org.uk/guidance/cg91',
  },
  schedule: { times: ['10:00'], days: ['mon'] },
  prompts: [
    {
      id: 'interest',
      text: `CareWeave: over the last 2 weeks, how often have you had little interest or pleasure in doing things? ${SCALE}`,
      expecting: ['score'],
      maxScore: 3,
      questionCode: { system: LOINC, code: '44250-9', display: 'Little interest or pleasure in doing things' },
    },
    {
      id: 'down',
      text: `And how often have you been feeling down, depressed or hopeless? ${SCALE}`,
      expecting: ['score'],
      maxScore: 3,
      questionCode: { system: LOINC, code: '44255-8', display: 'Feeling down, depressed, or hopeless' },
    },
  ],
  levels: [],
  totals: [
    {
      prompts: ['interest', 'down'],
      atLeast: 3,
      level: 'amber',
      reason: 'PHQ-2 total 3 or more: positive screen',
      code: { system: LOINC, code: '55758-7', display: 'Patient Health Questionnaire 2 item (PHQ-2) total score' },
    },
  ],
  replies: {
    green: `Thank you for your answers. ${CRISIS}`,
    amber: `Thank you for telling us. Someone from your care team will contact you to talk about how you are feeling. ${CRISIS}`,
    red: `Thank you for telling us. Someone from your care team will contact you today. ${CRISIS}`,
  },
  escalate: ['amber', 'red'],
  missed: { remindAfterMinutes: 240, alertAfterMisses: 2 },
  catchUpMinutes: 240,
};
