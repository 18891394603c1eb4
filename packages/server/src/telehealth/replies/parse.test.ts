/**
 * What people really type in reply to a telehealth prompt (forms collected from SMS telehealth
 * services' published examples, NHS Florence guides and support tickets, and the mistakes a small
 * keypad invites). Each case: the text, what the prompt asked for, and what must be understood.
 * Readings are summarised as `kind value`; problems as `!kind expectation`; commands as `command x`.
 */
import { describe, expect, it } from 'vitest';
import { parseReply, type ParsedReply } from './parse.ts';
import { problemText } from './messages.ts';
import type { Expectation } from './vocabulary.ts';

function summarise(parsed: ParsedReply): string {
  if (parsed.command) {
    return `command ${parsed.command}`;
  }
  const readings = parsed.readings.map((r) => {
    const v = r.values;
    switch (r.expectation) {
      case 'bp':
        return `bp ${v.systolic}/${v.diastolic}`;
      case 'yesno':
        return `yesno ${v.answer ? 'yes' : 'no'}`;
      case 'score':
        return `score ${v.score}`;
      default:
        return `${r.expectation} ${Object.values(v)[0]}`;
    }
  });
  const problems = parsed.problems.map((p) => `!${p.kind} ${p.expectation}`);
  return [...readings, ...problems].join('; ');
}

const BP: Expectation[] = ['bp'];
const BP_PULSE: Expectation[] = ['bp', 'pulse'];
const SPO2: Expectation[] = ['spo2'];
const SPO2_PULSE: Expectation[] = ['spo2', 'pulse'];
const TEMP: Expectation[] = ['temperature'];
const WEIGHT: Expectation[] = ['weight'];
const GLUCOSE: Expectation[] = ['glucose'];
const PEAK: Expectation[] = ['peakflow'];
const YESNO: Expectation[] = ['yesno'];
const SCORE: Expectation[] = ['score'];
const PULSE: Expectation[] = ['pulse'];

const CASES: [string, Expectation[], string][] = [
  // Blood pressure: the forms people use.
  ['140/90', BP, 'bp 140/90'],
  ['140 / 90', BP, 'bp 140/90'],
  ['140\\90', BP, 'bp 140/90'],
  ['140 over 90', BP, 'bp 140/90'],
  ['bp 140 over 90', BP, 'bp 140/90'],
  ['BP 140/90', BP, 'bp 140/90'],
  ['BP:140/90', BP, 'bp 140/90'],
  ['bp=140/90', BP, 'bp 140/90'],
  ['Blood pressure 140/90', BP, 'bp 140/90'],
  ['blood pressure is 135/85', BP, 'bp 135/85'],
  ['My BP was 128/79 this morning', BP, 'bp 128/79'],
  ['b.p. 150/95', BP, 'bp 150/95'],
  ['140-90', BP, 'bp 140/90'],
  ['140,90', BP, 'bp 140/90'],
  ['140 90', BP, 'bp 140/90'],
  ['140 on 90', BP, 'bp 140/90'],
  ['  140/90  ', BP, 'bp 140/90'],
  ['140/90.', BP, 'bp 140/90'],
  ['140/90!', BP, 'bp 140/90'],
  ['140/90 thanks', BP, 'bp 140/90'],
  ['Hi it was 140/90', BP, 'bp 140/90'],
  ['１４０/９０', BP, 'bp 140/90'],
  ['１４０／９０', BP, 'bp 140/90'],
  ['bp 99/62', BP, 'bp 99/62'],
  ['95/60', BP, 'bp 95/60'],
  ['180/110', BP, 'bp 180/110'],
  ['210/120', BP, 'bp 210/120'],
  ['at 8:30 it was 140/90', BP, 'bp 140/90'],
  ['7am 132/84', BP, 'bp 132/84'],
  ['132/84 at 7.30am', BP, 'bp 132/84'],
  ['6/12/2026 132/84', BP, 'bp 132/84'],
  ['BP 152/97', BP, 'bp 152/97'],
  ['Pressure 145/92', BP, 'bp 145/92'],
  ['bp reading 138/88', BP, 'bp 138/88'],
  ['BPS 138/88', BP, 'bp 138/88'],
  // Blood pressure: implausible and unreadable.
  ['1490/90', BP, '!unreadable bp'],
  ['90/140', BP, '!implausible bp'],
  ['140/140', BP, '!implausible bp'],
  ['400/90', BP, '!implausible bp'],
  ['140/10', BP, '!implausible bp'],
  ['40/30', BP, '!implausible bp'],
  ['bp 140', BP, '!unreadable bp'],
  ['140', BP, '!unreadable bp'],
  ['high', BP, '!unreadable bp'],
  ['not done today', BP, '!unreadable bp'],
  ['', BP, '!unreadable bp'],
  ['??', BP, '!unreadable bp'],
  ['my machine is broken', BP, '!unreadable bp'],
  ['1 4 0 / 9 0', BP, '!unreadable bp'],
  // Blood pressure and pulse.
  ['140/90 72', BP_PULSE, 'bp 140/90; pulse 72'],
  ['140/90/72', BP_PULSE, 'bp 140/90; pulse 72'],
  ['140/90 p72', BP_PULSE, 'bp 140/90; pulse 72'],
  ['BP:152/97 P:70', BP_PULSE, 'bp 152/97; pulse 70'],
  ['bp 152/97 pulse 70', BP_PULSE, 'bp 152/97; pulse 70'],
  ['BP 152/97, pulse 70', BP_PULSE, 'bp 152/97; pulse 70'],
  ['pulse 70 bp 152/97', BP_PULSE, 'pulse 70; bp 152/97'],
  ['P 70 BP 152/97', BP_PULSE, 'pulse 70; bp 152/97'],
  ['152/97 HR 70', BP_PULSE, 'bp 152/97; pulse 70'],
  ['152/97 heart rate 70', BP_PULSE, 'bp 152/97; pulse 70'],
  ['152/97 70bpm', BP_PULSE, 'bp 152/97; pulse 70'],
  ['152/97 70 bpm', BP_PULSE, 'bp 152/97; pulse 70'],
  ['152 over 97 and 70', BP_PULSE, 'bp 152/97; pulse 70'],
  ['bp 140 over 90 pulse 72', BP_PULSE, 'bp 140/90; pulse 72'],
  ['140/90 pulse 72.', BP_PULSE, 'bp 140/90; pulse 72'],
  ['140/90', BP_PULSE, 'bp 140/90; !missing pulse'],
  ['72', BP_PULSE, 'pulse 72; !missing bp'],
  ['140/90 72 80', BP_PULSE, 'bp 140/90; !ambiguous pulse'],
  ['140/90 p 300', BP_PULSE, 'bp 140/90; !implausible pulse'],
  ['140/90 pulse 7', BP_PULSE, 'bp 140/90; !implausible pulse'],
  ['１４０/９０ ７２', BP_PULSE, 'bp 140/90; pulse 72'],
  ['BP 140/90 Pulse: 72 bpm', BP_PULSE, 'bp 140/90; pulse 72'],
  // Pulse alone.
  ['72', PULSE, 'pulse 72'],
  ['pulse 72', PULSE, 'pulse 72'],
  ['72 bpm', PULSE, 'pulse 72'],
  ['HR72', PULSE, 'pulse 72'],
  ['heart rate is 110', PULSE, 'pulse 110'],
  ['pulse 15', PULSE, '!implausible pulse'],
  ['pulse 400', PULSE, '!implausible pulse'],
  ['fast', PULSE, '!unreadable pulse'],
  // Oxygen saturation.
  ['94', SPO2, 'spo2 94'],
  ['94%', SPO2, 'spo2 94'],
  ['94 %', SPO2, 'spo2 94'],
  ['SpO2 94%', SPO2, 'spo2 94'],
  ['spo2 94', SPO2, 'spo2 94'],
  ['SP02 94', SPO2, 'spo2 94'],
  ['sats 94', SPO2, 'spo2 94'],
  ['Sats: 91%', SPO2, 'spo2 91'],
  ['o2 96', SPO2, 'spo2 96'],
  ['oxygen 97', SPO2, 'spo2 97'],
  ['oxygen level 97%', SPO2, 'spo2 97'],
  ['saturation 95', SPO2, 'spo2 95'],
  ['94 percent', SPO2, 'spo2 94'],
  ['９４％', SPO2, 'spo2 94'],
  ['100', SPO2, 'spo2 100'],
  ['88', SPO2, 'spo2 88'],
  ['101', SPO2, '!implausible spo2'],
  ['9', SPO2, '!implausible spo2'],
  ['0.94', SPO2, '!implausible spo2'],
  ['940', SPO2, '!implausible spo2'],
  ['good', SPO2, '!unreadable spo2'],
  // Oxygen and pulse.
  ['94 72', SPO2_PULSE, 'spo2 94; pulse 72'],
  ['94% 72', SPO2_PULSE, 'spo2 94; pulse 72'],
  ['sats 94 pulse 72', SPO2_PULSE, 'spo2 94; pulse 72'],
  ['pulse 72 sats 94', SPO2_PULSE, 'pulse 72; spo2 94'],
  ['72bpm 94%', SPO2_PULSE, 'pulse 72; spo2 94'],
  ['spo2 94 hr 88', SPO2_PULSE, 'spo2 94; pulse 88'],
  ['94', SPO2_PULSE, 'spo2 94; !missing pulse'],
  ['94 72 60', SPO2_PULSE, '!ambiguous spo2; !ambiguous pulse'],
  // Temperature.
  ['37.2', TEMP, 'temperature 37.2'],
  ['37,2', TEMP, 'temperature 37.2'],
  ['37', TEMP, 'temperature 37'],
  ['temp 37.8', TEMP, 'temperature 37.8'],
  ['Temp: 38.1C', TEMP, 'temperature 38.1'],
  ['38.1 c', TEMP, 'temperature 38.1'],
  ['38.1°C', TEMP, 'temperature 38.1'],
  ['38.1 degrees', TEMP, 'temperature 38.1'],
  ['temperature 36.4', TEMP, 'temperature 36.4'],
  ['98.6F', TEMP, 'temperature 37'],
  ['98.6', TEMP, 'temperature 37'],
  ['100.4 f', TEMP, 'temperature 38'],
  ['３７．２', TEMP, 'temperature 37.2'],
  ['372', TEMP, '!implausible temperature'],
  ['25', TEMP, '!implausible temperature'],
  ['hot', TEMP, '!unreadable temperature'],
  // Weight.
  ['82.5', WEIGHT, 'weight 82.5'],
  ['82,5', WEIGHT, 'weight 82.5'],
  ['82.5kg', WEIGHT, 'weight 82.5'],
  ['82.5 kg', WEIGHT, 'weight 82.5'],
  ['82.5 kgs', WEIGHT, 'weight 82.5'],
  ['weight 82.5', WEIGHT, 'weight 82.5'],
  ['wt 82.5', WEIGHT, 'weight 82.5'],
  ['Weight: 82.5 kilos', WEIGHT, 'weight 82.5'],
  ['weighed 90.2 this morning', WEIGHT, 'weight 90.2'],
  ['180 lbs', WEIGHT, 'weight 81.6'],
  ['180lb', WEIGHT, 'weight 81.6'],
  ['180 pounds', WEIGHT, 'weight 81.6'],
  ['12st 4lb', WEIGHT, 'weight 78'],
  ['12 st 4 lbs', WEIGHT, 'weight 78'],
  ['12 stone 4', WEIGHT, 'weight 78'],
  ['12st', WEIGHT, 'weight 76.2'],
  ['13 stone', WEIGHT, 'weight 82.6'],
  ['８２.５', WEIGHT, 'weight 82.5'],
  ['825', WEIGHT, '!implausible weight'],
  ['8.25', WEIGHT, '!implausible weight'],
  ['same as yesterday', WEIGHT, '!unreadable weight'],
  // Blood glucose.
  ['7.4', GLUCOSE, 'glucose 7.4'],
  ['7,4', GLUCOSE, 'glucose 7.4'],
  ['7.4 mmol', GLUCOSE, 'glucose 7.4'],
  ['7.4mmol/l', GLUCOSE, 'glucose 7.4'],
  ['7.4 mmol/L', GLUCOSE, 'glucose 7.4'],
  ['bm 7.4', GLUCOSE, 'glucose 7.4'],
  ['BM 12.1', GLUCOSE, 'glucose 12.1'],
  ['sugar 6.2', GLUCOSE, 'glucose 6.2'],
  ['blood sugar 6.2', GLUCOSE, 'glucose 6.2'],
  ['sugars 15', GLUCOSE, 'glucose 15'],
  ['glucose 4.1', GLUCOSE, 'glucose 4.1'],
  ['BG 3.2', GLUCOSE, 'glucose 3.2'],
  ['126 mg/dl', GLUCOSE, 'glucose 7'],
  ['126', GLUCOSE, '!implausible glucose'],
  ['74', GLUCOSE, '!implausible glucose'],
  ['0.5', GLUCOSE, '!implausible glucose'],
  ['HI', GLUCOSE, '!unreadable glucose'],
  ['７．４', GLUCOSE, 'glucose 7.4'],
  // Peak flow.
  ['350', PEAK, 'peakflow 350'],
  ['pf 350', PEAK, 'peakflow 350'],
  ['peak flow 420', PEAK, 'peakflow 420'],
  ['peakflow 420', PEAK, 'peakflow 420'],
  ['PEF 300', PEAK, 'peakflow 300'],
  ['350 l/min', PEAK, 'peakflow 350'],
  ['350 litres', PEAK, 'peakflow 350'],
  ['35', PEAK, '!implausible peakflow'],
  ['3500', PEAK, '!implausible peakflow'],
  ['ok', PEAK, '!unreadable peakflow'],
  // Yes and no.
  ['yes', YESNO, 'yesno yes'],
  ['Yes', YESNO, 'yesno yes'],
  ['YES', YESNO, 'yesno yes'],
  ['y', YESNO, 'yesno yes'],
  ['Y', YESNO, 'yesno yes'],
  ['yeah', YESNO, 'yesno yes'],
  ['yep', YESNO, 'yesno yes'],
  ['yup', YESNO, 'yesno yes'],
  ['aye', YESNO, 'yesno yes'],
  ['ok', YESNO, 'yesno yes'],
  ['done', YESNO, 'yesno yes'],
  ['taken', YESNO, 'yesno yes'],
  ['yes thanks', YESNO, 'yesno yes'],
  ['Yes!', YESNO, 'yesno yes'],
  ['yes, taken them', YESNO, 'yesno yes'],
  ['👍', YESNO, 'yesno yes'],
  ['no', YESNO, 'yesno no'],
  ['No', YESNO, 'yesno no'],
  ['n', YESNO, 'yesno no'],
  ['nope', YESNO, 'yesno no'],
  ['nah', YESNO, 'yesno no'],
  ['forgot', YESNO, 'yesno no'],
  ['missed', YESNO, 'yesno no'],
  ["didn't", YESNO, 'yesno no'],
  ['no, forgot', YESNO, 'yesno no'],
  ['👎', YESNO, 'yesno no'],
  ['ＹＥＳ', YESNO, 'yesno yes'],
  ['maybe', YESNO, '!unreadable yesno'],
  ['yes no', YESNO, '!unreadable yesno'],
  ['140/90', YESNO, '!unreadable yesno'],
  // Scores (PHQ-2 items 0-3; symptom scores 0-10).
  ['2', SCORE, 'score 2'],
  ['0', SCORE, 'score 0'],
  ['10', SCORE, 'score 10'],
  ['two', SCORE, 'score 2'],
  ['zero', SCORE, 'score 0'],
  ['score 3', SCORE, 'score 3'],
  ['3/10', SCORE, 'score 3'],
  ['3 out of 10', SCORE, 'score 3'],
  ['11', SCORE, '!implausible score'],
  ['lots', SCORE, '!unreadable score'],
  ['２', SCORE, 'score 2'],
  // Commands, whatever was asked.
  ['STOP', BP, 'command stop'],
  ['stop', SPO2, 'command stop'],
  ['Stop.', BP, 'command stop'],
  ['STOPALL', BP, 'command stop'],
  ['unsubscribe', BP, 'command stop'],
  ['PAUSE', BP, 'command pause'],
  ['pause', YESNO, 'command pause'],
  ['holiday', BP, 'command pause'],
  ['RESUME', BP, 'command resume'],
  ['resume', BP, 'command resume'],
  ['HELP', BP, 'command help'],
  ['help', YESNO, 'command help'],
  ['?', BP, 'command help'],
  ['ＳＴＯＰ', BP, 'command stop'],
];

describe('parseReply: what people really type', () => {
  it('has at least 200 real-world reply forms', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CASES)('%j (expecting %j) → %s', (text, expecting, expected) => {
    expect(summarise(parseReply(text, expecting))).toBe(expected);
  });
});

describe('parseReply: scores within the question', () => {
  it('refuses a PHQ-2 item above 3', () => {
    expect(summarise(parseReply('4', ['score'], { maxScore: 3 }))).toBe('!implausible score');
    expect(summarise(parseReply('3', ['score'], { maxScore: 3 }))).toBe('score 3');
  });
});

describe('problemText: the answer to what could not be used', () => {
  it.each([
    ['high', BP, "Sorry, we couldn't read that. Please send your blood pressure like this: 140/90."],
    ['1490/90', BP, "Sorry, we couldn't read that. Please send your blood pressure like this: 140/90."],
    [
      '90/140',
      BP,
      'The reading "90/140" doesn\'t look right. Please check it and send your blood pressure like this: 140/90.',
    ],
    ['140/90', BP_PULSE, 'Thank you. Please also send your pulse like this: 72.'],
    [
      '94 72 60',
      SPO2_PULSE,
      "Sorry, we weren't sure which number was which. Please send your oxygen level like this: 95, and your pulse like this: 72.",
    ],
  ] as [string, Expectation[], string][])('%j → %s', (text, expecting, answer) => {
    expect(problemText(parseReply(text, expecting))).toBe(answer);
  });

  it('says nothing when everything was read', () => {
    expect(problemText(parseReply('140/90 72', BP_PULSE))).toBeUndefined();
  });
});
