/**
 * Understanding a reply to a telehealth prompt: the command it is (STOP, PAUSE, RESUME, HELP), or
 * the readings in it, each checked for plausibility and converted to the unit the record keeps;
 * what could not be read; and whether to ask again. Nothing here stores anything: the caller records
 * the readings as Observations and sends `reply` (docs/TELEHEALTH.md, docs/CLINICAL-SAFETY.md H-100).
 */
import { normaliseReply, wordNumber } from './normalise.ts';
import { readTokens, UNIT_MEANS, type NumberToken, type PairToken, type Token } from './tokens.ts';
import { ASK, MEASURES, type Expectation, type MeasureKey } from './vocabulary.ts';

export type Command = 'stop' | 'pause' | 'resume' | 'help';

export interface Reading {
  expectation: Expectation;
  /** bp: systolic and diastolic; yesno: 1 (yes) or 0 (no); otherwise the value in the record's unit. */
  values: Partial<Record<MeasureKey | 'answer' | 'score', number>>;
  /** As the patient typed it. */
  text: string;
}

export interface ReplyProblem {
  kind: 'unreadable' | 'implausible' | 'missing' | 'ambiguous';
  expectation: Expectation;
  /** What was typed, when there was something. */
  text?: string;
}

export interface ParsedReply {
  command?: Command;
  readings: Reading[];
  problems: ReplyProblem[];
  /** The reply should ask for (some of) the readings again. */
  askAgain: boolean;
}

export interface ParseOptions {
  /** The highest score the question allows (PHQ-2 items: 3; default 10). */
  maxScore?: number;
}

const COMMANDS: readonly [Command, RegExp][] = [
  ['stop', /^(stop|stopall|unsubscribe|end|quit|opt ?out)$/],
  ['pause', /^(pause|hold|holiday|away)$/],
  ['resume', /^(resume|restart|start|unpause|back|continue)$/],
  ['help', /^(help|info|\?)$/],
];

const YES =
  /^(y|yes|yeah|yea|yep|yup|ya|aye|ok|okay|done|taken|did|i did|i have|have|yes thanks|yes thank you|correct|true|👍|✅|✔️|✔)$/u;
const NO =
  /^(n|no|nope|nah|not|no thanks|didn't|didnt|did not|haven't|havent|have not|missed|forgot|not taken|false|👎|❌|✖️)$/u;

/** Reads `text` as a reply to a prompt that asked for `expecting` (in order). */
export function parseReply(text: string, expecting: readonly Expectation[], options: ParseOptions = {}): ParsedReply {
  const normal = normaliseReply(text);
  const bare = normal.replace(/[.!,;]+$/g, '').trim();
  const command = COMMANDS.find(([, pattern]) => pattern.test(bare))?.[0];
  if (command) {
    return { command, readings: [], problems: [], askAgain: false };
  }
  const readings: Reading[] = [];
  const problems: ReplyProblem[] = [];
  const wanted = [...expecting];
  const take = (expectation: Expectation): void => {
    const index = wanted.indexOf(expectation);
    if (index >= 0) {
      wanted.splice(index, 1);
    }
  };

  for (const answer of ['yesno', 'score'] as const) {
    if (wanted.includes(answer)) {
      const read = answer === 'yesno' ? readYesNo(bare) : readScore(bare, options.maxScore ?? 10);
      if (read.reading) {
        readings.push(read.reading);
        take(answer);
      } else if (read.problem) {
        problems.push(read.problem);
        take(answer);
      }
    }
  }

  const measured = wanted.filter((e) => e !== 'yesno' && e !== 'score');
  if (measured.length) {
    const tokens = readTokens(normal, measured.includes('bp'));
    assignTokens(tokens, measured, readings, problems);
    for (const expectation of measured) {
      if (
        !readings.some((r) => r.expectation === expectation) &&
        !problems.some((p) => p.expectation === expectation)
      ) {
        problems.push({ kind: tokens.length || normal ? 'missing' : 'unreadable', expectation });
      }
    }
  }
  for (const expectation of wanted.filter((e) => e === 'yesno' || e === 'score')) {
    problems.push({ kind: 'unreadable', expectation, text });
  }
  // Nothing at all understood: the whole reply is unreadable (kept for the team, never a reading).
  if (!readings.length) {
    for (const problem of problems) {
      if (problem.kind === 'missing') {
        problem.kind = 'unreadable';
      }
    }
  }
  return { readings, problems, askAgain: problems.length > 0 };
}

function readYesNo(bare: string): { reading?: Reading; problem?: ReplyProblem } {
  const words = bare.replace(/[!.]+/g, '').trim();
  let yes = YES.test(words);
  let no = NO.test(words);
  if (!yes && !no) {
    // Word by word: "yes, taken them" is yes; "yes no" says both and is asked again.
    const parts = words.split(/[ ,]+/);
    yes = parts.some((word) => YES.test(word));
    no = parts.some((word) => NO.test(word));
  }
  if (yes === no) {
    return {};
  }
  return { reading: { expectation: 'yesno', values: { answer: yes ? 1 : 0 }, text: words } };
}

function readScore(bare: string, maxScore: number): { reading?: Reading; problem?: ReplyProblem } {
  const match = /^(?:score\s*(?:is|of|=|:)?\s*)?(\d{1,2}|[a-z]+)(?:\s*(?:\/|out of)\s*\d{1,2})?$/.exec(bare);
  if (!match) {
    return {};
  }
  const value = /^\d+$/.test(match[1]!) ? Number(match[1]) : wordNumber(match[1]!);
  if (value === undefined) {
    return {};
  }
  if (value > maxScore) {
    return { problem: { kind: 'implausible', expectation: 'score', text: bare } };
  }
  return { reading: { expectation: 'score', values: { score: value }, text: bare } };
}

/**
 * Labelled tokens go to their label (or unit); pairs to blood pressure; the unlabelled numbers left
 * to the numeric expectations still wanted, in the order the prompt asked for them. More numbers
 * than places, or a number that could be two things, is ambiguous: asked again, never guessed.
 */
function assignTokens(
  tokens: Token[],
  measured: readonly Expectation[],
  readings: Reading[],
  problems: ReplyProblem[],
) {
  const open = new Set(measured);
  const unlabelled: NumberToken[] = [];
  for (const token of tokens) {
    const meaning = token.kind === 'pair' ? 'bp' : (token.label ?? (token.unit ? UNIT_MEANS[token.unit] : undefined));
    if (token.kind === 'pair') {
      if (open.has('bp') || token.label === 'bp') {
        record(readPressure(token), readings, problems, open);
        if (token.pulse !== undefined && open.has('pulse')) {
          record(readMeasure('pulse', token.pulse, 'bpm', `${token.pulse}`), readings, problems, open);
        }
      }
      continue;
    }
    if (meaning && meaning !== 'bp') {
      if (open.has(meaning)) {
        record(readNumber(meaning, token), readings, problems, open);
      }
      continue;
    }
    if (meaning === 'bp') {
      // "bp 140" with no second number: not a blood pressure.
      problems.push({ kind: 'unreadable', expectation: 'bp', text: token.text });
      open.delete('bp');
      continue;
    }
    unlabelled.push(token);
  }
  const places = [...open].filter((e) => e !== 'bp');
  if (unlabelled.length > places.length && unlabelled.length > 0) {
    for (const expectation of places) {
      problems.push({ kind: 'ambiguous', expectation, text: unlabelled.map((t) => t.text).join(' ') });
      open.delete(expectation);
    }
    return;
  }
  unlabelled.forEach((token, i) => record(readNumber(places[i]!, token), readings, problems, open));
}

type Outcome = { reading: Reading } | { problem: ReplyProblem };

function record(outcome: Outcome, readings: Reading[], problems: ReplyProblem[], open: Set<Expectation>): void {
  if ('reading' in outcome) {
    readings.push(outcome.reading);
    open.delete(outcome.reading.expectation);
  } else {
    problems.push(outcome.problem);
    open.delete(outcome.problem.expectation);
  }
}

function readPressure(token: PairToken): Outcome {
  const { systolic, diastolic } = token;
  const plausible =
    within('systolic', systolic) &&
    within('diastolic', diastolic) &&
    systolic > diastolic &&
    systolic - diastolic >= 10;
  return plausible
    ? { reading: { expectation: 'bp', values: { systolic, diastolic }, text: token.text } }
    : { problem: { kind: 'implausible', expectation: 'bp', text: token.text } };
}

function readNumber(expectation: Expectation, token: NumberToken): Outcome {
  return readMeasure(expectation, token.value, token.unit, token.text);
}

function readMeasure(expectation: Expectation, raw: number, unit: string | undefined, text: string): Outcome {
  const key = expectation as MeasureKey;
  const value = convert(expectation, raw, unit);
  if (value === undefined || !(key in MEASURES) || !within(key, value)) {
    return { problem: { kind: 'implausible', expectation, text } };
  }
  const factor = 10 ** MEASURES[key].decimals;
  return { reading: { expectation, values: { [key]: Math.round(value * factor) / factor }, text } };
}

/** Into the unit the record keeps: kg, °C, mmol/L. */
function convert(expectation: Expectation, value: number, unit: string | undefined): number | undefined {
  switch (expectation) {
    case 'weight':
      return unit === 'lb' ? value * 0.45359237 : value;
    case 'temperature':
      // A bare 86-113 is Fahrenheit: no living body is that hot in Celsius.
      return unit === 'fahrenheit' || (unit === undefined && value >= 86 && value <= 113)
        ? ((value - 32) * 5) / 9
        : value;
    case 'glucose':
      // Only when the patient says mg/dL: a bare 126 is asked again, not guessed (H-100).
      return unit === 'mgdl' ? value / 18.016 : value;
    case 'spo2':
      return value > 0 && value <= 1 ? undefined : value;
    default:
      return value;
  }
}

function within(key: MeasureKey, value: number): boolean {
  const measure = MEASURES[key];
  return Number.isFinite(value) && value >= measure.min && value <= measure.max;
}

/** "blood pressure like this: 140/90" for each expectation asked again. */
export function askAgainText(problems: readonly ReplyProblem[]): string {
  const asks = [...new Set(problems.map((p) => p.expectation))].map(
    (e) => `${ASK[e].name} like this: ${ASK[e].example}`,
  );
  return asks.join(', and your ');
}
