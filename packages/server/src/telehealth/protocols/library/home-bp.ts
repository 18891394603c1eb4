import type { ProtocolInput } from '../model.ts';
import { EMERGENCY, SNOMED } from './codes.ts';

/**
 * Home blood pressure monitoring (NICE NG136, 1.2.4–1.2.8 and 1.4): two readings a day for a week,
 * seated and rested. Red: 180/120 or higher (NG136 1.5.1: same-day assessment), or systolic below 90.
 * Amber: at or above the HBPM stage 2 threshold, 150/95 (NG136 1.2.9); the team reviews the week's
 * average, which is what NICE diagnoses on — one reading at stage 1 (135/85) is not flagged alone.
 */
export const homeBloodPressure: ProtocolInput = {
  id: 'home-bp',
  version: 1,
  title: 'Home blood pressure (7 days)',
  purpose: 'Confirming or monitoring high blood pressure with readings taken at home, morning and evening, for a week.',
  condition: { system: SNOMED, code: '38341003', display: 'Hypertensive disorder' },
  guideline: {
    citation: 'NICE NG136 Hypertension in adults (2019, updated 2023)',
    url: 'https://www.nice.org.uk/guidance/ng136',
  },
  schedule: { times: ['08:00', '20:00'], days: 'daily', durationDays: 7 },
  prompts: [
    {
      id: 'bp',
      text: 'CareWeave: please sit quietly for 5 minutes, then take your blood pressure and reply with the reading, like this: 140/90',
      expecting: ['bp'],
    },
  ],
  levels: [
    { measure: 'systolic', level: 'red', atLeast: 180, reason: 'Systolic 180 or higher (NG136: same-day assessment)' },
    {
      measure: 'diastolic',
      level: 'red',
      atLeast: 120,
      reason: 'Diastolic 120 or higher (NG136: same-day assessment)',
    },
    { measure: 'systolic', level: 'red', below: 90, reason: 'Systolic below 90: possible low blood pressure' },
    {
      measure: 'systolic',
      level: 'amber',
      atLeast: 150,
      reason: 'Systolic at or above the home stage 2 threshold (150)',
    },
    {
      measure: 'diastolic',
      level: 'amber',
      atLeast: 95,
      reason: 'Diastolic at or above the home stage 2 threshold (95)',
    },
  ],
  replies: {
    green: 'Thank you, your reading has been recorded.',
    amber:
      'Thank you. This reading is higher than we would like. Your practice team will look at your readings this week. ' +
      EMERGENCY,
    red:
      'Thank you. This reading needs checking today: your practice team has been told and will contact you. ' +
      'If you have chest pain, a severe headache, confusion or problems with your sight, call 999 now.',
  },
  escalate: ['red'],
  missed: { remindAfterMinutes: 60, alertAfterMisses: 4 },
  catchUpMinutes: 90,
};
