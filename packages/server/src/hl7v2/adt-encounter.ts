/**
 * ADT → Encounter, without the record: what the PV1/EVN segments say about the visit, and the
 * Encounter an event makes of it (or of the Encounter already there). See docs/HL7V2.md for the
 * table of events.
 */
import type { Hl7Message } from '@medplum/core';
import type { Coding, Encounter, EncounterLocation } from '@medplum/fhirtypes';
import { fhirDateTime } from './datetime.ts';
import { read } from './message.ts';
import { HL7_ERROR, Hl7ApplicationError, type Hl7ErrorCondition } from './registry.ts';
import { ACT_CODE_SYSTEM as ACT_CODE } from '@careweave/vocabulary';

export const ADT_EVENTS = ['A01', 'A02', 'A03', 'A04', 'A05', 'A08', 'A11', 'A12', 'A13'] as const;
export type AdtEvent = (typeof ADT_EVENTS)[number];

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** PV1-2 patient class (HL7 table 0004) as Encounter.class. */
const PATIENT_CLASS: Record<string, Coding> = {
  E: { system: ACT_CODE, code: 'EMER', display: 'emergency' },
  I: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
  B: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
  O: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  R: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  P: { system: ACT_CODE, code: 'PRENC', display: 'pre-admission' },
};

/** The visit as the message describes it. */
export interface Visit {
  /** PV1-19.1. */
  number: string;
  /** PV1-2, mapped. */
  patientClass?: Coding;
  /** PV1-3 as a display: the description (PL.9), else point of care, room and bed. */
  location?: string;
  /** PV1-44 and PV1-45. */
  admitted?: string;
  discharged?: string;
  /** When the event happened: EVN-6, else EVN-2, else MSH-7, else now. */
  eventTime: string;
}

function dateTimeOf(message: Hl7Message, segment: string, field: number, timeZone: string): string | undefined {
  const value = read(message.getSegment(segment), field);
  const converted = fhirDateTime(value, timeZone);
  if (converted === undefined) {
    throw new Hl7ApplicationError(`${segment}-${field} '${value}' is not an HL7 date/time`, {
      condition: HL7_ERROR.dataType,
      location: `${segment}-${field}`,
    });
  }
  return converted || undefined;
}

/** Reads the visit from PV1 (and EVN, MSH). Throws AE for values that cannot be read. */
export function readVisit(message: Hl7Message, timeZone: string, now = new Date()): Visit {
  const pv1 = message.getSegment('PV1')!;
  const code = read(pv1, 2);
  const patientClass = code ? PATIENT_CLASS[code.toUpperCase()] : undefined;
  if (code && !patientClass) {
    throw new Hl7ApplicationError(`PV1-2 patient class '${code}' is not one of E, I, O, P, R, B`, {
      condition: HL7_ERROR.tableValueNotFound,
      location: 'PV1-2',
    });
  }
  const description = read(pv1, 3, 9);
  const location = description || [read(pv1, 3, 1), read(pv1, 3, 2), read(pv1, 3, 3)].filter(Boolean).join(', ');
  const admitted = dateTimeOf(message, 'PV1', 44, timeZone);
  const discharged = dateTimeOf(message, 'PV1', 45, timeZone);
  const eventTime =
    dateTimeOf(message, 'EVN', 6, timeZone) ??
    dateTimeOf(message, 'EVN', 2, timeZone) ??
    dateTimeOf(message, 'MSH', 7, timeZone) ??
    now.toISOString();
  return {
    number: read(pv1, 19),
    ...(patientClass ? { patientClass } : {}),
    ...(location ? { location } : {}),
    ...(admitted ? { admitted } : {}),
    ...(discharged ? { discharged } : {}),
    eventTime,
  };
}

/** Who and what the Encounter is about, from the record. */
export interface EncounterRefs {
  patientId: string;
  organizationId: string;
  /** The visit-number system of the sending facility. */
  identifierSystem: string;
}

const CANCELLED: readonly Encounter['status'][] = ['entered-in-error', 'cancelled'];

/** AE: the event does not fit the visit as the record has it (207 unless said otherwise). */
function refuse(reason: string, location?: string, condition: Hl7ErrorCondition = HL7_ERROR.internal): never {
  throw new Hl7ApplicationError(reason, { condition, ...(location ? { location } : {}) });
}

/**
 * The Encounter after `event`, from the one there is (or none). Returns `existing` itself when the
 * event changes nothing (an A11 of a visit already cancelled). Throws AE when the event does not
 * fit the visit's state: the feed's order went wrong, and a person should look.
 */
export function nextEncounter(
  event: AdtEvent,
  existing: Encounter | undefined,
  visit: Visit,
  refs: EncounterRefs,
): Encounter {
  const label = `Visit ${visit.number}`;
  if (existing && CANCELLED.includes(existing.status)) {
    if (event === 'A11') {
      return existing;
    }
    refuse(`${label} was cancelled (A11); it takes no further events`);
  }
  if (!existing && ['A11', 'A12', 'A13'].includes(event)) {
    refuse(`${label} is not known, so there is nothing to cancel`, 'PV1-19', HL7_ERROR.unknownKey);
  }
  const encounter: Encounter = existing ? withoutVersion(existing) : newEncounter(visit, refs);
  if (visit.patientClass) {
    encounter.class = visit.patientClass;
  } else if (!existing) {
    refuse('PV1-2 patient class is required for a new visit', 'PV1-2', HL7_ERROR.requiredFieldMissing);
  }
  const finished = existing?.status === 'finished';
  switch (event) {
    case 'A01':
    case 'A04':
    case 'A05':
      if (finished) {
        refuse(`${label} has been discharged; an A13 cancels a discharge`);
      }
      if (event === 'A05' && existing && existing.status !== 'planned') {
        refuse(`${label} has already begun; a pre-admission (A05) cannot follow it`);
      }
      encounter.status =
        event === 'A05' ? 'planned' : event === 'A01' || existing?.status === 'in-progress' ? 'in-progress' : 'arrived';
      setStart(encounter, visit.admitted ?? (event === 'A05' ? undefined : visit.eventTime));
      placeAt(encounter, visit.location, encounter.period?.start ?? visit.eventTime, encounter.status === 'planned');
      break;
    case 'A02':
      if (finished) {
        refuse(`${label} has been discharged; a transfer (A02) cannot follow it`);
      }
      if (!visit.location) {
        refuse('PV1-3 (the new location) is required for a transfer', 'PV1-3', HL7_ERROR.requiredFieldMissing);
      }
      encounter.status = 'in-progress';
      setStart(encounter, visit.admitted ?? visit.eventTime);
      transfer(encounter, visit.location, visit.eventTime);
      break;
    case 'A03':
      encounter.status = 'finished';
      setStart(encounter, visit.admitted);
      placeAt(encounter, visit.location, encounter.period?.start ?? visit.eventTime, false);
      discharge(encounter, visit.discharged ?? visit.eventTime);
      break;
    case 'A08':
      if (!existing) {
        encounter.status = visit.discharged ? 'finished' : visit.admitted ? 'in-progress' : 'planned';
      }
      setStart(encounter, visit.admitted);
      // A correction of where the visit is, not a move.
      placeAt(encounter, visit.location, visit.admitted ?? visit.eventTime, encounter.status === 'planned');
      if (encounter.status === 'finished' && visit.discharged) {
        discharge(encounter, visit.discharged);
      }
      break;
    case 'A11':
      if (finished) {
        refuse(`${label} has been discharged; cancel the discharge (A13) before the admission`);
      }
      encounter.status = 'entered-in-error';
      break;
    case 'A12':
      cancelTransfer(encounter, label);
      break;
    case 'A13':
      if (!finished) {
        refuse(`${label} is not discharged, so there is no discharge to cancel`);
      }
      encounter.status = 'in-progress';
      reopen(encounter);
      break;
  }
  const { start, end } = encounter.period ?? {};
  if (start && end && Date.parse(end) < Date.parse(start)) {
    refuse(`${label} would end (${end}) before it began (${start})`, 'PV1-45', HL7_ERROR.dataType);
  }
  return encounter;
}

function newEncounter(visit: Visit, refs: EncounterRefs): Encounter {
  return {
    resourceType: 'Encounter',
    identifier: [
      {
        use: 'official',
        type: { coding: [{ system: V2_0203, code: 'VN', display: 'Visit number' }] },
        system: refs.identifierSystem,
        value: visit.number,
      },
    ],
    status: 'planned',
    class: visit.patientClass ?? PATIENT_CLASS.O!,
    subject: { reference: `Patient/${refs.patientId}` },
    serviceProvider: { reference: `Organization/${refs.organizationId}` },
  };
}

/** The stored Encounter as the base of the next version (the store stamps version and time). */
function withoutVersion(existing: Encounter): Encounter {
  const copy = structuredClone(existing);
  if (copy.meta) {
    delete copy.meta.versionId;
    delete copy.meta.lastUpdated;
  }
  return copy;
}

function setStart(encounter: Encounter, start: string | undefined): void {
  if (start) {
    encounter.period = { ...encounter.period, start };
  }
}

function current(encounter: Encounter): EncounterLocation | undefined {
  return encounter.location?.at(-1);
}

function located(display: string, start: string, planned: boolean): EncounterLocation {
  return { location: { display }, status: planned ? 'planned' : 'active', period: { start } };
}

/** Admission or registration: the location is where the visit is (a first one, or a correction). */
function placeAt(encounter: Encounter, display: string | undefined, start: string, planned: boolean): void {
  if (!display) {
    return;
  }
  const last = current(encounter);
  if (!last) {
    encounter.location = [located(display, start, planned)];
  } else if (last.location.display !== display) {
    last.location = { display };
  }
  const now = current(encounter)!;
  if (now.status === 'planned' && !planned) {
    now.status = 'active';
  }
}

/** A02: the current location ends when the patient moves; the new one begins. */
function transfer(encounter: Encounter, display: string, at: string): void {
  const last = current(encounter);
  if (last && last.location.display === display) {
    last.status = 'active';
    return;
  }
  if (last) {
    last.status = 'completed';
    last.period = { ...last.period, end: at };
  }
  encounter.location = [...(encounter.location ?? []), located(display, at, false)];
}

/** A12: back to where the patient was before the last transfer. */
function cancelTransfer(encounter: Encounter, label: string): void {
  if (encounter.status === 'finished') {
    refuse(`${label} has been discharged; cancel the discharge (A13) before the transfer`);
  }
  const locations = encounter.location ?? [];
  if (locations.length < 2) {
    refuse(`${label} has no earlier location to return to`);
  }
  const previous = locations[locations.length - 2]!;
  previous.status = 'active';
  if (previous.period) {
    delete previous.period.end;
  }
  encounter.location = locations.slice(0, -1);
}

function discharge(encounter: Encounter, end: string): void {
  encounter.period = { ...encounter.period, end };
  const last = current(encounter);
  if (last) {
    last.status = 'completed';
    last.period = { ...last.period, end };
  }
}

/** A13: the visit goes on as before the discharge. */
function reopen(encounter: Encounter): void {
  if (encounter.period) {
    delete encounter.period.end;
  }
  const last = current(encounter);
  if (last) {
    last.status = 'active';
    if (last.period) {
      delete last.period.end;
    }
  }
}
