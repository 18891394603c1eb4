import type { Resource } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';

/** Who is calling a portal operation, and the unit of work their operation runs in. */
export interface PortalCaller {
  /** The verified actor (a portal operation with no actor is refused before it gets here). */
  actor: Actor;
  /** The patient a patient or related-person actor acts for. */
  patientId?: string;
  /** Runs work in one transaction as the caller (src/modules/unit-of-work.ts). */
  unitOfWork<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

/** The two views a portal operation works with, and row locks, in one transaction. */
export interface PortalViews {
  /** The portal's system actor (`module:portal`): the directory changes made on the caller's behalf. */
  system: ResourceService;
  /** The caller's own view (their access restriction and write checks). */
  asCaller: ResourceService;
  lock: (key: string) => Promise<void>;
}

export async function inTransaction<T>(caller: PortalCaller, work: (views: PortalViews) => Promise<T>): Promise<T> {
  return caller.unitOfWork((uow) => work({ system: uow.system(), asCaller: uow.record, lock: (key) => uow.lock(key) }));
}

export function parse<T extends Resource>(json: string | null | undefined): T {
  return JSON.parse(json ?? '{}') as T;
}

/** The reference a caller writes as themselves (`requester`, `author`), when known. */
export function actorReference(actor: Actor): string | undefined {
  switch (actor.kind) {
    case 'staff':
      return `Practitioner/${actor.practitionerId}`;
    case 'patient':
      return `Patient/${actor.patientId}`;
    case 'related-person':
      return `RelatedPerson/${actor.relatedPersonId}`;
    default:
      return undefined;
  }
}
