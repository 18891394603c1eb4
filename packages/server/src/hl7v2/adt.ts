/**
 * The first HL7 v2 handler: ADT into the record. The patient is found by NHS number (PID-3), the
 * visit by its number (PV1-19) in the sending facility's namespace, and the visit's Encounter is
 * created or changed by the event (adt-encounter.ts), all as the facility's feed.
 */
import type { Hl7Segment } from '@medplum/core';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { isValidNhsNumber, NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { ADT_EVENTS, nextEncounter, readVisit, type AdtEvent } from './adt-encounter.ts';
import { read, repetitions } from './message.ts';
import { HL7_ERROR, Hl7ApplicationError, type Hl7Handler, type Hl7HandlerContext } from './registry.ts';

/** CX-4 assigning authorities that mean "NHS number" (HL7 UK; the NHS number OID). */
const NHS_AUTHORITIES = new Set(['NHS', 'NHSNBR', 'NHSNMBR']);
export const NHS_NUMBER_OID = '2.16.840.1.113883.2.1.4.1';

/** The visit-number namespace of a sending facility: one Encounter per (facility, visit number). */
export function visitNumberSystem(facility: string): string {
  return `https://careweave.example/fhir/sid/hl7v2-visit-number/${encodeURIComponent(facility)}`;
}

/** FHIR token search escaping (`\`, `,`, `|`, `$`). */
function token(value: string): string {
  return value.replace(/[\\,|$]/g, (ch) => `\\${ch}`);
}

/**
 * The NHS number in PID-3: the repetition whose assigning authority (CX-4) is the NHS, by name or
 * OID, or with no authority and identifier type NHSNMBR. An identifier type alone (`NH`) is not
 * enough: Scotland's CHI number looks the same and is someone else's.
 */
export function nhsNumberOf(pid: Hl7Segment): string {
  const found = new Set<string>();
  for (let rep = 0; rep < repetitions(pid, 3); rep++) {
    const authority = read(pid, 3, 4, 1, rep).toUpperCase();
    const oid = read(pid, 3, 4, 2, rep);
    const type = read(pid, 3, 5, 1, rep).toUpperCase();
    if (NHS_AUTHORITIES.has(authority) || oid === NHS_NUMBER_OID || (!authority && !oid && type === 'NHSNMBR')) {
      found.add(read(pid, 3, 1, 1, rep).replace(/\s+/g, ''));
    }
  }
  if (found.size === 0) {
    throw new Hl7ApplicationError('PID-3 carries no NHS number (an identifier assigned by NHS)', {
      condition: HL7_ERROR.requiredFieldMissing,
      location: 'PID-3',
    });
  }
  if (found.size > 1) {
    throw new Hl7ApplicationError('PID-3 carries more than one NHS number', {
      condition: HL7_ERROR.duplicateKey,
      location: 'PID-3',
    });
  }
  const nhsNumber = [...found][0]!;
  if (!isValidNhsNumber(nhsNumber)) {
    throw new Hl7ApplicationError(`PID-3 NHS number '${nhsNumber}' is not a valid NHS number (Modulus 11)`, {
      condition: HL7_ERROR.dataType,
      location: 'PID-3',
    });
  }
  return nhsNumber;
}

/**
 * The one Patient with this NHS number, as the feed may see it. A date of birth in PID-7 must agree
 * with the record's: a mistyped NHS number that happens to be valid names someone else.
 */
async function findPatient(resources: ResourceService, nhsNumber: string, pid: Hl7Segment): Promise<Patient> {
  const bundle = await resources.search('Patient', [
    ['identifier', `${NHS_NUMBER_SYSTEM}|${nhsNumber}`],
    ['_count', '2'],
  ]);
  const patients = (bundle.entry ?? []).flatMap((e) =>
    e.resource?.resourceType === 'Patient' && e.search?.mode !== 'outcome' ? [e.resource] : [],
  );
  if (patients.length === 0) {
    throw new Hl7ApplicationError(`No patient with NHS number ${nhsNumber} is known`, {
      condition: HL7_ERROR.unknownKey,
      location: 'PID-3',
    });
  }
  if (patients.length > 1) {
    throw new Hl7ApplicationError(`NHS number ${nhsNumber} names more than one patient`, {
      condition: HL7_ERROR.duplicateKey,
      location: 'PID-3',
    });
  }
  const patient = patients[0]!;
  const born = read(pid, 7).slice(0, 8);
  const recorded = patient.birthDate?.replaceAll('-', '');
  if (born.length === 8 && recorded?.length === 8 && born !== recorded) {
    throw new Hl7ApplicationError(
      `PID-7 date of birth does not match the patient with NHS number ${nhsNumber}; check the NHS number`,
      { condition: HL7_ERROR.unknownKey, location: 'PID-7' },
    );
  }
  return patient;
}

function requireSegment(context: Hl7HandlerContext, name: string): Hl7Segment {
  const segment = context.message.getSegment(name);
  if (!segment) {
    throw new Hl7ApplicationError(`The ${name} segment is missing`, {
      condition: HL7_ERROR.segmentSequence,
      location: name,
      ack: 'AR',
    });
  }
  return segment;
}

async function applyAdt(context: Hl7HandlerContext): Promise<{ resources: string[]; patientId: string }> {
  const { resources, sender } = context;
  const event = context.header.triggerEvent as AdtEvent;
  const pid = requireSegment(context, 'PID');
  requireSegment(context, 'PV1');
  const patient = await findPatient(resources, nhsNumberOf(pid), pid);
  const patientId = patient.id!;
  const fail = (reason: string, location?: string): never => {
    throw new Hl7ApplicationError(reason, {
      condition: HL7_ERROR.unknownKey,
      patientId,
      ...(location ? { location } : {}),
    });
  };
  try {
    const visit = readVisit(context.message, context.timeZone);
    if (!visit.number) {
      throw new Hl7ApplicationError('PV1-19 visit number is required: it is how the visit is known', {
        condition: HL7_ERROR.requiredFieldMissing,
        location: 'PV1-19',
      });
    }
    const system = visitNumberSystem(sender.facility);
    const query = `identifier=${token(system)}|${token(visit.number)}`;
    // The key a FHIR conditional update with the same query takes too.
    await context.lock([`conditional:Encounter?${query}`]);
    const matches = (await resources.conditionalMatch('Encounter', query)) as Encounter[];
    if (matches.length > 1) {
      fail(`Visit ${visit.number} names more than one Encounter`, 'PV1-19');
    }
    const existing = matches[0];
    if (existing && existing.subject?.reference !== `Patient/${patientId}`) {
      // Never move a visit (and its history) to another patient on a feed's say-so.
      fail(`Visit ${visit.number} belongs to a different patient from the one in PID-3`, 'PV1-19');
    }
    if (existing && existing.serviceProvider?.reference !== `Organization/${sender.organizationId}`) {
      fail(`Visit ${visit.number} is not ${sender.facility}'s visit`, 'PV1-19');
    }
    const next = nextEncounter(event, existing, visit, {
      patientId,
      organizationId: sender.organizationId,
      identifierSystem: system,
    });
    if (next === existing) {
      return { resources: [`Encounter/${existing.id}`], patientId };
    }
    const written = existing
      ? await resources.update('Encounter', existing.id!, next, { ifMatch: Number(existing.meta?.versionId) })
      : await resources.create('Encounter', next);
    return { resources: [`Encounter/${written.resource.id}`], patientId };
  } catch (error) {
    // The worklist row is labelled with the patient the message was matched to.
    if (error instanceof Hl7ApplicationError && !error.patientId) {
      throw new Hl7ApplicationError(error.message, {
        condition: error.condition,
        ack: error.ack,
        patientId,
        ...(error.location ? { location: error.location } : {}),
      });
    }
    throw error;
  }
}

/** ADT A01–A05, A08 and the cancellations A11–A13 into Encounters. */
export const adtHandler: Hl7Handler = { events: ADT_EVENTS, handle: applyAdt };
