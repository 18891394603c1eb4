/**
 * The numbers in a normalised reply, each with what it says it is: a label before it ("bp",
 * "sats", "P:") or a unit after it ("%", "kg", "mmol", "bpm"), and blood pressures as pairs
 * ("140/90", "140 over 90", "140-90"), read before single numbers so their halves are not read twice.
 */
import type { Expectation } from './vocabulary.ts';

export type Unit = 'percent' | 'kg' | 'lb' | 'stone' | 'celsius' | 'fahrenheit' | 'mmol' | 'mgdl' | 'lmin' | 'bpm';

export interface NumberToken {
  kind: 'number';
  value: number;
  /** As typed, for messages. */
  text: string;
  label?: Expectation;
  unit?: Unit;
  start: number;
}

export interface PairToken {
  kind: 'pair';
  systolic: number;
  diastolic: number;
  /** A third number typed with the pair ("140/90/72"): a pulse. */
  pulse?: number;
  text: string;
  label?: Expectation;
  start: number;
}

export type Token = NumberToken | PairToken;

const LABELS: readonly [Expectation, RegExp][] = [
  ['bp', /(?:^|[^a-z])(blood pressure|b\.?p\.?|pressure|bps)\s*(?:reading|is|was|of|=|:|-)?\s*$/],
  ['pulse', /(?:^|[^a-z])(pulse|heart ?rate|hr|p|pr|heartbeat)\s*(?:is|was|of|=|:|-)?\s*$/],
  [
    'spo2',
    /(?:^|[^a-z])(spo2|sp02|spo 2|sats?|saturations?|o2|oxygen(?: level| sats?)?|ox|oximeter)\s*(?:is|was|of|=|:|-)?\s*$/,
  ],
  ['temperature', /(?:^|[^a-z])(temp(?:erature)?|t)\s*(?:is|was|of|=|:|-)?\s*$/],
  ['weight', /(?:^|[^a-z])(weight|wt|wgt|weigh(?:ed|s)?|w)\s*(?:is|was|of|=|:|-)?\s*$/],
  ['glucose', /(?:^|[^a-z])(glucose|(?:blood )?sugars?|bs|bg|bm|cbg|reading(?: of)?|level)\s*(?:is|was|of|=|:|-)?\s*$/],
  ['peakflow', /(?:^|[^a-z])(peak ?flow|pf|pef|pefr)\s*(?:is|was|of|=|:|-)?\s*$/],
  ['score', /(?:^|[^a-z])(score|scored)\s*(?:is|was|of|=|:|-)?\s*$/],
];

const UNITS: readonly [Unit, RegExp][] = [
  ['percent', /^\s*(%|percent|per cent|pc)/],
  ['kg', /^\s*(kgs?|kilos?|kilograms?)\b/],
  ['lb', /^\s*(lbs?|pounds?)\b/],
  ['stone', /^\s*(st|stones?)(?![a-z])/],
  ['celsius', /^\s*(°\s*c|deg(?:rees)?\s*c(?:elsius)?|c|celsius|centigrade)\b/],
  ['fahrenheit', /^\s*(°\s*f|deg(?:rees)?\s*f(?:ahrenheit)?|f|fahrenheit)\b/],
  ['mmol', /^\s*(mmol(?:\/l)?|mmols)/],
  ['mgdl', /^\s*(mg\/dl|mg)\b/],
  ['lmin', /^\s*(l\/min|lpm|litres?(?: per minute)?|liters?)\b/],
  ['bpm', /^\s*(bpm|beats?(?: per minute| a minute)?)\b/],
];

/** What a unit says about the reading it follows. */
export const UNIT_MEANS: Record<Unit, Expectation> = {
  percent: 'spo2',
  kg: 'weight',
  lb: 'weight',
  stone: 'weight',
  celsius: 'temperature',
  fahrenheit: 'temperature',
  mmol: 'glucose',
  mgdl: 'glucose',
  lmin: 'peakflow',
  bpm: 'pulse',
};

function labelBefore(text: string, start: number): Expectation | undefined {
  const before = text.slice(Math.max(0, start - 30), start);
  return LABELS.find(([, pattern]) => pattern.test(before))?.[0];
}

function unitAfter(text: string, end: number): { unit: Unit; length: number } | undefined {
  const after = text.slice(end, end + 24);
  for (const [unit, pattern] of UNITS) {
    const match = pattern.exec(after);
    if (match) {
      return { unit, length: match[0].length };
    }
  }
  return undefined;
}

const PAIR =
  /(?<![\d.])(\d{2,3})\s*(?:\/|\\|\bover\b|\bon\b|-|,|\s(?=\d{2,3}\s*(?:\/|$)))\s*(\d{2,3})(?:\s*\/\s*(\d{2,3}))?(?!\d|\.\d)/g;
const NUMBER = /(?<![\d.])(\d+(?:[.,]\d+)?)(?![\d])/g;

/**
 * Reads the tokens of a normalised reply. `pairsMeanPressure`: whether "140,90" or "140-90" is a
 * blood pressure (only when the protocol asks for one; otherwise a comma is a decimal point).
 */
export function readTokens(text: string, pairsMeanPressure: boolean): Token[] {
  const tokens: Token[] = [];
  const taken: [number, number][] = [];
  for (const match of text.matchAll(PAIR)) {
    const afterFirst = match[0].slice(match[1]!.length);
    const separator = afterFirst.slice(0, afterFirst.indexOf(match[2]!)).trim();
    // "140/90" and "140 over 90" are pressures whatever was asked; "140,90", "140-90", "140 90"
    // only when a pressure was asked for or labelled (otherwise a comma is a decimal point).
    const loose = separator === ',' || separator === '-' || separator === '' || separator === 'on';
    if (loose && !pairsMeanPressure && !labelBefore(text, match.index)) {
      continue;
    }
    // Two numbers with only a space between them are a pressure only when they read as one
    // ("140 90"); "72 80" is two other numbers.
    if (separator === '' && !(Number(match[1]) > Number(match[2]) && Number(match[1]) >= 70)) {
      continue;
    }
    tokens.push({
      kind: 'pair',
      systolic: Number(match[1]),
      diastolic: Number(match[2]),
      ...(match[3] ? { pulse: Number(match[3]) } : {}),
      text: match[0].trim(),
      ...withLabel(labelBefore(text, match.index)),
      start: match.index,
    });
    taken.push([match.index, match.index + match[0].length]);
  }
  for (const match of text.matchAll(NUMBER)) {
    const start = match.index;
    if (taken.some(([from, to]) => start >= from && start < to)) {
      continue;
    }
    const end = start + match[0].length;
    const unit = unitAfter(text, end);
    tokens.push({
      kind: 'number',
      value: Number(match[1]!.replace(',', '.')),
      text: text.slice(start, end + (unit?.length ?? 0)).trim(),
      ...withLabel(labelBefore(text, start)),
      ...(unit ? { unit: unit.unit } : {}),
      start,
    });
  }
  return mergeStonesAndPounds(tokens.sort((a, b) => a.start - b.start));
}

function withLabel(label: Expectation | undefined): { label?: Expectation } {
  return label ? { label } : {};
}

/** "12st 4lb", "12 stone 4": one weight in pounds (14 lb to the stone). */
function mergeStonesAndPounds(tokens: Token[]): Token[] {
  const merged: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.kind === 'number' && token.unit === 'stone') {
      const pounds =
        next?.kind === 'number' && (next.unit === 'lb' || !next.unit) && next.value < 14 ? next : undefined;
      merged.push({
        ...token,
        value: token.value * 14 + (pounds?.value ?? 0),
        unit: 'lb',
        text: pounds ? `${token.text} ${pounds.text}` : token.text,
      });
      if (pounds) {
        i++;
      }
      continue;
    }
    merged.push(token);
  }
  return merged;
}
