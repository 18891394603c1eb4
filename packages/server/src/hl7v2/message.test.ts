import { Hl7Context, Hl7Message } from '@medplum/core';
import { describe, expect, test } from 'vitest';
import { buildAck } from './ack.ts';
import { fhirDateTime } from './datetime.ts';
import { escapeHl7, parseHl7, read, repetitions, unescapeHl7 } from './message.ts';
import { HL7_ERROR } from './registry.ts';

const MSH =
  'MSH|^~\\&|ADT|RVY01^2.16.840.1.113883.2.1.3.2^ISO|CAREWEAVE|ICS|20250101120000+0000||ADT^A01^ADT_A01|C1|P|2.5.1';

describe('parseHl7', () => {
  test('reads the header', () => {
    const parsed = parseHl7(`${MSH}\rPID|1||9434765919^^^NHS^NH`);
    expect(parsed.ok).toBe(true);
    expect(parsed.header).toEqual({
      sendingApplication: 'ADT',
      sendingFacility: 'RVY01^2.16.840.1.113883.2.1.3.2^ISO',
      facilityCode: 'RVY01',
      messageType: 'ADT',
      triggerEvent: 'A01',
      controlId: 'C1',
      processingId: 'P',
      version: '2.5.1',
    });
  });

  test('accepts LF or CR LF between segments, a byte-order mark and trailing line breaks', () => {
    const parsed = parseHl7(`\uFEFF${MSH}\r\nPID|1\nPV1|1|I\r\n`);
    expect(parsed.ok && parsed.message.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'PV1']);
  });

  test.each([
    ['no MSH', 'PID|1||123', /begin with an MSH/],
    ['garbage', 'hello world', /begin with an MSH/],
    ['delimiters not distinct', 'MSH|^^\\&|A|B', /five distinct/],
    ['letters as delimiters', 'MSH|abcd|A|B', /five distinct/],
    ['no control id', 'MSH|^~\\&|A|B|||2025||ADT^A01||P|2.5', /MSH-10 is required/],
    ['no trigger event', 'MSH|^~\\&|A|B|||2025||ADT|1|P|2.5', /MSH-9.2 is required/],
    ['no version', 'MSH|^~\\&|A|B|||2025||ADT^A01|1|P|', /MSH-12 is required/],
    ['a bad segment name', `${MSH}\rpid|1`, /Segment 2 has no valid segment name/],
  ])('refuses %s', (_name, text, reason) => {
    const parsed = parseHl7(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('reading fields', () => {
  const message = Hl7Message.parse(
    `${MSH}\rPID|1||X1^^^HOSP^MR~9434765919^^^NHS&2.16.840.1.113883.2.1.4.1&ISO^NH||O\\S\\Brien^Ann\\T\\Jo||""`,
  );
  const pid = message.getSegment('PID');

  test('components, subcomponents and repetitions are 1-based, 1-based and 0-based', () => {
    expect(repetitions(pid, 3)).toBe(2);
    expect(read(pid, 3, 1, 1, 1)).toBe('9434765919');
    expect(read(pid, 3, 4, 2, 1)).toBe('2.16.840.1.113883.2.1.4.1');
    expect(read(pid, 3, 4, 1, 0)).toBe('HOSP');
  });

  test('absent values and the HL7 null read as empty; escapes are decoded', () => {
    expect(read(pid, 3, 9, 1, 5)).toBe('');
    expect(read(pid, 40)).toBe('');
    expect(read(pid, 7)).toBe('');
    expect(read(pid, 5, 1)).toBe('O^Brien');
    expect(read(pid, 5, 2)).toBe('Ann&Jo');
    expect(read(undefined, 1)).toBe('');
  });

  test.each([
    ['\\F\\\\S\\\\T\\\\R\\\\E\\', '|^&~\\'],
    ['line\\.br\\break', 'line\nbreak'],
    ['\\X48656C6C6F\\', 'Hello'],
    ['\\H\\bold\\N\\', 'bold'],
    ['unfinished \\F', 'unfinished \\F'],
  ])('unescape %s', (escaped, text) => {
    expect(unescapeHl7(escaped, new Hl7Context())).toBe(text);
  });

  test('escape and unescape are inverse', () => {
    const text = 'a|b^c&d~e\\f';
    expect(unescapeHl7(escapeHl7(text, new Hl7Context()), new Hl7Context())).toBe(text);
  });
});

describe('HL7 date/times', () => {
  test.each([
    ['20150208113419+0110', '2015-02-08T11:34:19+01:10'],
    ['20210817151943.4+0200', '2021-08-17T15:19:43.4+02:00'],
    ['2021011516', '2021-01-15T16:00:00+00:00'],
    ['202107011000', '2021-07-01T10:00:00+01:00'],
    ['20210701', '2021-07-01'],
    ['202107', '2021-07'],
    ['2021', '2021'],
    ['20211031013000', '2021-10-31T01:30:00+00:00'],
    ['', ''],
  ])('%s → %s (Europe/London)', (hl7, fhir) => {
    expect(fhirDateTime(hl7, 'Europe/London')).toBe(fhir);
  });

  test.each(['20210230', '2021130112', '20210101250000', '2021-01-01', '20210101+2500', 'yesterday'])(
    '%s is not a date/time',
    (value) => {
      expect(fhirDateTime(value, 'Europe/London')).toBeUndefined();
    },
  );
});

describe('ACK', () => {
  const segments = (ack: string): string[][] => ack.split('\r').map((s) => s.split('|'));

  test('AA: sender and receiver swapped, MSA-2 the control id, the trigger and version echoed', () => {
    const parsed = parseHl7(MSH);
    const [msh, msa, ...rest] = segments(buildAck(parsed.message, 'AA'));
    expect(msh!.slice(0, 3)).toEqual(['MSH', '^~\\&', 'CAREWEAVE']);
    expect(msh![3]).toBe('ICS');
    expect(msh![4]).toBe('ADT');
    expect(msh![5]).toBe('RVY01^2.16.840.1.113883.2.1.3.2^ISO');
    expect(msh![8]).toBe('ACK^A01^ACK');
    expect(msh![9]).toMatch(/^[0-9a-f]{20}$/);
    expect(msh![10]).toBe('P');
    expect(msh![11]).toBe('2.5.1');
    expect(msa).toEqual(['MSA', 'AA', 'C1']);
    expect(rest).toEqual([]);
  });

  test('AE in v2.5+: ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 the reason, escaped', () => {
    const ack = buildAck(parseHl7(MSH).message, 'AE', {
      condition: HL7_ERROR.unknownKey,
      text: 'No patient | here',
      location: 'PID-3',
    });
    const [, msa, err] = segments(ack);
    expect(msa).toEqual(['MSA', 'AE', 'C1']);
    expect(err).toEqual([
      'ERR',
      '',
      'PID^1^3',
      '204^Unknown key identifier^HL70357',
      'E',
      '',
      '',
      '',
      'No patient \\F\\ here',
    ]);
  });

  test('AR before v2.5: MSA-3 the reason, ERR-1 the location and code', () => {
    const old = MSH.replace('|2.5.1', '|2.3').replace('ADT^A01^ADT_A01', 'ADT^A01');
    const [msh, msa, err] = segments(
      buildAck(parseHl7(old).message, 'AR', { condition: HL7_ERROR.unsupportedEvent, text: 'No', location: 'MSH-9' }),
    );
    expect(msh![8]).toBe('ACK^A01');
    expect(msa).toEqual(['MSA', 'AR', 'C1', 'No']);
    expect(err).toEqual(['ERR', 'MSH^1^9^201&Unsupported event code&HL70357']);
  });

  test('a message with no header still gets an AR', () => {
    const [msh, msa] = segments(
      buildAck(undefined, 'AR', { condition: HL7_ERROR.segmentSequence, text: 'No MSH', location: 'MSH' }),
    );
    expect(msh![8]).toBe('ACK');
    expect(msa).toEqual(['MSA', 'AR', '']);
  });

  test("the sender's own delimiters are used", () => {
    const custom = MSH.replaceAll('|', '#').replace('#^~\\&#', '#^~\\&#');
    const ack = buildAck(parseHl7(custom).message, 'AA');
    expect(ack.split('\r')[1]).toBe('MSA#AA#C1');
  });
});
