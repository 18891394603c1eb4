import { Hl7Message } from '@medplum/core';
import { describe, expect, test } from 'vitest';
import { nhsNumberOf, visitNumberSystem } from './adt.ts';

const pid = (field3: string) =>
  Hl7Message.parse(`MSH|^~\\&|A|F|||2025||ADT^A01|1|P|2.5\rPID|1||${field3}`).getSegment('PID')!;

describe('the NHS number in PID-3', () => {
  test.each([
    ['assigning authority NHS (HL7 UK)', '9434765919^^^NHS^NH'],
    ['after a local number', 'H123^^^RVY^MR~9434765919^^^NHS^NH'],
    ['authority NHSNBR, type NHSNMBR (the MDM-T02-03 sample)', '9434765919^^^NHSNBR^NHSNMBR'],
    ['the NHS number OID', '9434765919^^^&2.16.840.1.113883.2.1.4.1&ISO'],
    ['no authority, type NHSNMBR', '9434765919^^^^NHSNMBR'],
    ['spaced', '943 476 5919^^^NHS^NH'],
  ])('%s', (_name, field) => {
    expect(nhsNumberOf(pid(field))).toBe('9434765919');
  });

  test.each([
    ['no NHS identifier at all', 'PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL', /no NHS number/],
    ['type NH with another authority (a CHI number)', '9434765919^^^CHI^NH', /no NHS number/],
    ['type NH alone', '9434765919^^^^NH', /no NHS number/],
    ['two different NHS numbers', '9434765919^^^NHS^NH~9000000009^^^NHS^NH', /more than one/],
    ['a wrong check digit', '9434765918^^^NHS^NH', /not a valid NHS number/],
  ])('refuses %s', (_name, field, reason) => {
    expect(() => nhsNumberOf(pid(field))).toThrow(reason);
  });

  test('the same NHS number twice is one', () => {
    expect(nhsNumberOf(pid('9434765919^^^NHS^NH~9434765919^^^NHS^NHSNMBR'))).toBe('9434765919');
  });
});

test('each facility has its own visit-number namespace', () => {
  expect(visitNumberSystem('RVY01')).not.toBe(visitNumberSystem('RRF01'));
  expect(visitNumberSystem('GOOD HEALTH HOSPITAL')).toBe(
    'https://careweave.example/fhir/sid/hl7v2-visit-number/GOOD%20HEALTH%20HOSPITAL',
  );
});
