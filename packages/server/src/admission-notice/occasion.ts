/**
 * Which alert, if any, a committed Encounter version is (pure: the reaction reads the versions, this
 * decides). An admission or A&E attendance starts a thread; a transfer or a discharge adds to it.
 */
import type { Encounter } from '@medplum/fhirtypes';

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export type AlertEvent =
  'admission' | 'attendance' | 'transfer' | 'discharge' | 'cancelled' | 'transfer-cancelled' | 'discharge-cancelled';

/**
 * Corrections of what a thread said (HL7 A11, A12, A13): told only to whoever was told of the visit,
 * and only when there is a thread — a visit nobody was told about needs no correction.
 */
export const CORRECTIONS: ReadonlySet<AlertEvent> = new Set(['cancelled', 'transfer-cancelled', 'discharge-cancelled']);

export interface AlertOccasion {
  event: AlertEvent;
  /**
   * Unique per Encounter and occasion: `admission`, `attendance`, `discharge:<period.end>`,
   * `transfer:<versionId>`, `cancelled`, `transfer-cancelled:<versionId>`,
   * `discharge-cancelled:<the cancelled period.end>`. With the Encounter and recipient it makes the
   * idempotency key.
   */
  key: string;
  /** Where the patient is now (the last location's display), if known. */
  where?: string;
}

/** Statuses of a visit that is going on (the same set as docs/ACCESS.md's "open episode"). */
const ACTIVE: ReadonlySet<string> = new Set(['in-progress', 'arrived', 'triaged', 'onleave']);

/** `IMP` (inpatient) or `EMER` (A&E), v3 ActCode; a class without a system is read as v3. */
export function alertClass(encounter: Encounter | undefined): 'IMP' | 'EMER' | undefined {
  const c = encounter?.class;
  if (!c || (c.system !== undefined && c.system !== ACT_CODE_SYSTEM)) {
    return undefined;
  }
  return c.code === 'IMP' || c.code === 'EMER' ? c.code : undefined;
}

/** An inpatient encounter: class IMP. */
export function isInpatient(encounter: Encounter): boolean {
  return alertClass(encounter) === 'IMP';
}

function isActive(encounter: Encounter | undefined): boolean {
  return !!encounter && ACTIVE.has(encounter.status);
}

function isDischarged(encounter: Encounter | undefined): boolean {
  return encounter?.status === 'finished' && !!encounter.period?.end;
}

function currentPlace(encounter: Encounter | undefined): string | undefined {
  const last = encounter?.location?.at(-1)?.location;
  return last?.display ?? last?.reference;
}

/**
 * The alert `current` (version `versionId`) calls for, given the version before it (undefined on a
 * create). A pre-admission (planned), a cancelled or mistaken visit, or any other class calls for none.
 *
 * - admission / attendance: the visit has become an active IMP / EMER (created so, begun after a
 *   pre-admission, or admitted from A&E: EMER → IMP);
 * - discharge: an IMP or EMER visit has become finished with an end (also one first seen finished);
 * - transfer: an active visit of either class is somewhere else than before;
 * - cancelled (A11): an active visit has become `entered-in-error`;
 * - discharge-cancelled (A13): a discharged visit is active again;
 * - transfer-cancelled (A12): an active visit is back at its previous location (one location fewer).
 */
export function occasionOf(current: Encounter, previous: Encounter | undefined, versionId: number) {
  const cls = alertClass(current);
  if (!cls) {
    return undefined;
  }
  const where = currentPlace(current);
  const at = (occasion: AlertOccasion): AlertOccasion => (where ? { ...occasion, where } : occasion);
  const wasActiveSameClass = isActive(previous) && alertClass(previous) === cls;
  // A11: the admission (or attendance) was entered in error.
  if (current.status === 'entered-in-error' && wasActiveSameClass) {
    return at({ event: 'cancelled', key: 'cancelled' });
  }
  // A13: the discharge is cancelled; the visit goes on.
  if (isActive(current) && isDischarged(previous) && alertClass(previous) === cls) {
    return at({ event: 'discharge-cancelled', key: `discharge-cancelled:${previous!.period!.end!}` });
  }
  // A12: the last move is cancelled; the patient is back where they were.
  if (
    isActive(current) &&
    wasActiveSameClass &&
    where &&
    currentPlace(previous) !== where &&
    (current.location?.length ?? 0) < (previous?.location?.length ?? 0)
  ) {
    return at({ event: 'transfer-cancelled', key: `transfer-cancelled:${versionId}` });
  }
  if (isActive(current) && !wasActiveSameClass) {
    return at(cls === 'IMP' ? { event: 'admission', key: 'admission' } : { event: 'attendance', key: 'attendance' });
  }
  if (isDischarged(current) && !isDischarged(previous)) {
    return at({ event: 'discharge', key: `discharge:${current.period!.end!}` });
  }
  if (isActive(current) && where && currentPlace(previous) !== where) {
    return at({ event: 'transfer', key: `transfer:${versionId}` });
  }
  return undefined;
}

/**
 * When the occasion happened: the admission's or attendance's start, the discharge's end, the new
 * location's start (else undefined: the feed did not say, so it is taken as now).
 */
export function occasionTime(occasion: AlertOccasion, encounter: Encounter): string | undefined {
  switch (occasion.event) {
    case 'admission':
    case 'attendance':
      return encounter.period?.start;
    case 'discharge':
      return encounter.period?.end;
    case 'transfer':
      return encounter.location?.at(-1)?.period?.start;
    case 'cancelled':
    case 'transfer-cancelled':
    case 'discharge-cancelled':
      // A correction is news whenever it comes: it is told only in a thread that was news.
      return undefined;
  }
}
