import type { Resource } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';

/** Who is calling a portal operation, and the record as they and as the system see it. */
export interface PortalCaller {
  /** The record bound to the caller (their access restriction and write checks). */
  service: ResourceService;
  /** The unrestricted record, for the directory data an operation changes on the caller's behalf. */
  system: ResourceService;
  /** The verified actor, once sign-in is wired; undefined while the API is open. */
  actor?: Actor;
  /** The patient a patient or related-person actor acts for. */
  patientId?: string;
}

/**
 * Runs `work` in one database transaction with two views of it: the system's and the caller's
 * (the same transaction, with the caller's access checks).
 */
export async function inTransaction<T>(
  caller: PortalCaller,
  work: (views: { system: ResourceService; asCaller: ResourceService }) => Promise<T>,
): Promise<T> {
  try {
    return await caller.system.transaction((system) =>
      work({ system, asCaller: caller.service.access ? system.forCaller(caller.service.access) : system }),
    );
  } finally {
    // The caller's refusals, kept back while the transaction ran, are audited now it has ended.
    await caller.service.access?.flushRefusals?.();
  }
}

export function parse<T extends Resource>(json: string | null | undefined): T {
  return JSON.parse(json ?? '{}') as T;
}

/** The reference a caller writes as themselves (`requester`, `author`), when known. */
export function actorReference(actor: Actor | undefined): string | undefined {
  switch (actor?.kind) {
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
