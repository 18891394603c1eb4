import type { ProtocolInput } from '../model.ts';
import { EMERGENCY, SNOMED } from './codes.ts';

/**
 * Type 2 diabetes on insulin or a sulfonylurea: fasting capillary glucose (NICE NG28 1.6.12–1.6.14 on
 * self-monitoring; hypoglycaemia below 4 mmol/L, "4 is the floor"). Red: below 4 (treat now), or 20
 * and above; amber: 15 and above (check for illness, drink water; the team reviews).
 */
export const diabetes: ProtocolInput = {
  id: 'diabetes',
  version: 1,
  title: 'Type 2 diabetes glucose',
  purpose: 'Fasting blood glucose for people with type 2 diabetes who self-monitor (on insulin or a sulfonylurea).',
  condition: { system: SNOMED, code: '44054006', display: 'Diabetes mellitus type 2' },
  guideline: {
    citation: 'NICE NG28 Type 2 diabetes in adults (2015, updated 2022)',
    url: 'https://www.nice.org.uk/guidance/ng28',
  },
  schedule: { times: ['08:00'], days: 'daily' },
  prompts: [
    {
      id: 'glucose',
      text: 'CareWeave: please check your blood sugar before breakfast and reply with the reading, like this: 7.4',
      expecting: ['glucose'],
    },
  ],
  levels: [
    { measure: 'glucose', level: 'red', below: 4, reason: 'Hypoglycaemia: below 4 mmol/L' },
    { measure: 'glucose', level: 'red', atLeast: 20, reason: 'Very high: 20 mmol/L or more' },
    { measure: 'glucose', level: 'amber', atLeast: 15, reason: 'High: 15 mmol/L or more' },
  ],
  replies: {
    green: 'Thank you, your reading has been recorded.',
    amber:
      'Thank you. Your blood sugar is high. Drink plenty of water and check again later; your diabetes team has been ' +
      'told. ' +
      EMERGENCY,
    red:
      'Your blood sugar is outside the safe range. If it is below 4, treat it now with a sugary drink or glucose ' +
      'tablets and check again in 15 minutes. Your team has been alerted. If you feel very unwell, call 999.',
  },
  escalate: ['red'],
  missed: { remindAfterMinutes: 90, alertAfterMisses: 4 },
  catchUpMinutes: 120,
};
