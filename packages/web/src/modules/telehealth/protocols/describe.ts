import type { Level, LevelRule, Protocol, RuleMeasure, TrendRule } from './api.ts';

/** Each measure a rule can test, in words, with its unit and the range a threshold may take. */
export const MEASURES: Record<RuleMeasure, { label: string; unit: string; min: number; max: number }> = {
  systolic: { label: 'Systolic blood pressure', unit: 'mmHg', min: 60, max: 260 },
  diastolic: { label: 'Diastolic blood pressure', unit: 'mmHg', min: 30, max: 160 },
  pulse: { label: 'Pulse', unit: 'beats a minute', min: 25, max: 220 },
  spo2: { label: 'Oxygen saturation (SpO2)', unit: '%', min: 70, max: 100 },
  temperature: { label: 'Temperature', unit: '°C', min: 34, max: 42 },
  weight: { label: 'Weight', unit: 'kg', min: 25, max: 300 },
  glucose: { label: 'Blood glucose', unit: 'mmol/L', min: 1, max: 35 },
  peakflow: { label: 'Peak flow', unit: 'L/min', min: 60, max: 900 },
  'peakflow-percent-best': { label: 'Peak flow, % of best', unit: '%', min: 10, max: 100 },
  score: { label: 'Score', unit: 'points', min: 0, max: 27 },
  answer: { label: 'Answer', unit: '', min: 0, max: 1 },
};

const DAYS: Record<string, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** "Every day at 08:00 and 20:00 (UK time), for 14 days". */
export function describeSchedule(schedule: Protocol['schedule']): string {
  const times = schedule.times.join(schedule.times.length === 2 ? ' and ' : ', ');
  const days = schedule.days === 'daily' ? 'Every day' : `Every ${schedule.days.map((d) => DAYS[d] ?? d).join(', ')}`;
  const length = schedule.durationDays ? `, for ${schedule.durationDays} days` : ', until stopped';
  return `${days} at ${times} (UK time)${length}`;
}

const EXPECTING: Record<string, string> = {
  bp: 'blood pressure',
  pulse: 'pulse',
  spo2: 'oxygen saturation',
  temperature: 'temperature',
  weight: 'weight',
  glucose: 'blood glucose',
  peakflow: 'peak flow',
  yesno: 'a yes or no answer',
  score: 'a score',
};

/** "blood pressure and pulse". */
export function describeExpecting(expecting: readonly string[]): string {
  const words = expecting.map((e) => EXPECTING[e] ?? e);
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}` : (words[0] ?? '');
}

/** The condition of a rule in words: "below 88 %", "130 beats a minute or more", "Yes". */
export function describeCondition(rule: Pick<LevelRule, 'measure' | 'below' | 'atLeast' | 'equals'>): string {
  if (rule.measure === 'answer') {
    return rule.equals === 1 ? 'Answer is yes' : 'Answer is no';
  }
  const unit = MEASURES[rule.measure].unit;
  const value = `${rule.below ?? rule.atLeast ?? rule.equals}${unit === '%' ? '%' : ` ${unit}`}`;
  if (rule.below !== undefined) {
    return `Below ${value}`;
  }
  return rule.atLeast !== undefined ? `${value} or more` : `Exactly ${value}`;
}

/** "A fall of 4 % or more within 3 days". */
export function describeTrend(rule: TrendRule): string {
  const unit = MEASURES[rule.measure].unit;
  const size = `${Math.abs(rule.change)}${unit === '%' ? '%' : ` ${unit}`}`;
  const days = rule.withinDays === 1 ? 'a day' : `${rule.withinDays} days`;
  return `${MEASURES[rule.measure].label}: a ${rule.change < 0 ? 'fall' : 'rise'} of ${size} or more within ${days}`;
}

/** The NHS.UK tag colour of each level. */
export const LEVEL_TAG: Record<Level, string> = {
  green: 'nhsuk-tag--green',
  amber: 'nhsuk-tag--orange',
  red: 'nhsuk-tag--red',
};

export const LEVEL_NAME: Record<Level, string> = { green: 'Green', amber: 'Amber', red: 'Red' };
