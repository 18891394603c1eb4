import fs from 'node:fs';
import path from 'node:path';
import { Hl7Message } from '@medplum/core';
import type { Organization, Patient } from '@medplum/fhirtypes';
import { ORGANISATION_TYPE_SYSTEM } from '../../access/actor.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { NHS_NUMBER_SYSTEM } from '../../fhir/validation/nhs-number.ts';
import { generateNhsNumber } from '../../seed/nhs-number.ts';
import { SHARED_DATA } from '../../testing/shared-data.ts';
import { ODS_ORGANISATION_SYSTEM } from '../sender.ts';

/** The public HL7 v2 samples (../shared/data/hl7v2, from microsoft/FHIR-Converter). */
export const SAMPLES_DIR = path.join(SHARED_DATA, 'hl7v2');

/** Sample file names, ADT only unless told. */
export function sampleNames(prefix = 'ADT'): string[] {
  return fs
    .readdirSync(SAMPLES_DIR)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.hl7'))
    .sort();
}

/** A sample as a sender would frame it: the file's text with CR between segments. */
export function sample(name: string): string {
  return fs.readFileSync(path.join(SAMPLES_DIR, name), 'utf8').replace(/\r?\n/g, '\r').replace(/\r+$/, '');
}

/** A copy of a message with fields replaced (`['PID', 3, '…']`; MSH numbering as in HL7). */
export function withFields(text: string, ...fields: [segment: string, field: number, value: string][]): string {
  const message = Hl7Message.parse(text.replace(/^\uFEFF/, ''));
  for (const [name, field, value] of fields) {
    const segment = message.getSegment(name);
    if (!segment) {
      throw new Error(`no ${name} segment`);
    }
    segment.setField(field, value);
  }
  return message.toString();
}

/** The message with an NHS number added as PID-3's first repetition. */
export function withNhsNumber(text: string, nhsNumber: string): string {
  const pid = Hl7Message.parse(text.replace(/^\uFEFF/, '')).getSegment('PID')!;
  const existing = pid.getField(3)?.toString() ?? '';
  return withFields(text, ['PID', 3, `${nhsNumber}^^^NHS^NH${existing ? `~${existing}` : ''}`]);
}

/** A valid NHS number for test `n` (distinct per n and salt). */
export function testNhsNumber(n: number, salt = 7): string {
  return generateNhsNumber(n, salt);
}

/** An acute trust whose ODS code is the sample's MSH-4.1. */
export async function seedOrganisation(resources: ResourceService, code: string, name = `${code} hospital`) {
  const organization: Organization = {
    resourceType: 'Organization',
    identifier: [{ system: ODS_ORGANISATION_SYSTEM, value: code }],
    name,
    active: true,
    type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'acute-trust' }] }],
  };
  return (await resources.create('Organization', organization)).resource as Organization;
}

export async function seedPatient(resources: ResourceService, nhsNumber: string, birthDate?: string) {
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }],
    name: [{ family: 'Test', given: ['Hl7'] }],
    ...(birthDate ? { birthDate } : {}),
  };
  return (await resources.create('Patient', patient)).resource as Patient;
}

export interface AdtOptions {
  event: string;
  controlId: string;
  nhsNumber?: string;
  facility?: string;
  visit?: string;
  patientClass?: string;
  location?: string;
  admitted?: string;
  discharged?: string;
  born?: string;
  eventTime?: string;
}

/** A small v2.5.1 ADT message as a UK PAS would send it. */
export function adt(options: AdtOptions): string {
  const pv1 = new Array<string>(46).fill('');
  pv1[0] = 'PV1';
  pv1[1] = '1';
  pv1[2] = options.patientClass ?? 'I';
  pv1[3] = options.location ?? 'WARD4^BAY2^BED1';
  pv1[19] = options.visit ?? 'V0001';
  pv1[44] = options.admitted ?? '20250301100000';
  pv1[45] = options.discharged ?? '';
  const event = options.event;
  return [
    `MSH|^~\\&|PAS|${options.facility ?? 'RVY01'}|CAREWEAVE|CW|20250301100000||ADT^${event}^ADT_A01|${options.controlId}|P|2.5.1`,
    `EVN|${event}|${options.eventTime ?? '20250301100000'}`,
    `PID|1||${options.nhsNumber ?? '9434765919'}^^^NHS^NH~H123^^^RVY^MR||Test^Hl7||${options.born ?? '19700101'}|F`,
    pv1.join('|').replace(/\|+$/, ''),
  ].join('\r');
}
