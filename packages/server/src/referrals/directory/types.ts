/** The directory's interface (the lifecycle codes against `ReferralDirectory`; docs/REFERRALS.md). */
import type { Appointment, Slot } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import type { InUnit } from '../booking/booking.service.ts';

export interface ServiceQuery {
  /** A code of the specialty value set (directory/vocabulary.ts `SPECIALTIES`, docs/REFERRALS.md). */
  specialty: string;
  /** Eligibility (age, GP practice, postcode) and distance from the patient's postcode. */
  patientId?: string;
  /** Default `routine`. */
  priority?: 'routine' | 'urgent' | 'two-week-wait';
  /** A code of the clinic types (`CLINIC_TYPES`): only services of that type. */
  clinicType?: string;
  /** At most this many options (default 20, at most 100). */
  limit?: number;
}

export interface ServiceOption {
  serviceId: string;
  name: string;
  provider: { id: string; name: string };
  location?: { id: string; name: string; postcode?: string };
  /** From the patient's postcode sector centroid to the site, when both are known. */
  distanceKm?: number;
  /** Whole days from now to the first free slot, from real slot availability. */
  indicativeWaitDays?: number;
  firstFreeSlot?: { id: string; start: string };
  /** False: indirectly bookable (the provider books once they have the referral). */
  directlyBookable: boolean;
  /** A referral assessment service. */
  triage: boolean;
  eligible: boolean;
  ineligibleReason?: string;
}

export interface ReferralDirectory {
  /** Services of a specialty, eligible first, then by wait and distance. 404 when the patient is not known to the caller. */
  search(actor: Actor, query: ServiceQuery): Promise<ServiceOption[]>;
  freeSlots(actor: Actor, serviceId: string, window?: { from?: string; to?: string; limit?: number }): Promise<Slot[]>;
  /**
   * Books `slotId` for the patient in the caller's unit of work (slot busy in the same transaction; 409 when
   * taken). With `options.uow` it joins a unit of work already open (the lifecycle's).
   */
  book(
    actor: Actor,
    input: { slotId: string; patientId: string; basedOn?: string /* ServiceRequest/id */; comment?: string },
    options?: InUnit,
  ): Promise<Appointment>;
  /** Cancels a booked appointment and frees its slot (when still in the future); 409 when already cancelled. */
  cancel(actor: Actor, appointmentId: string, reason?: string, options?: InUnit): Promise<Appointment>;
}
