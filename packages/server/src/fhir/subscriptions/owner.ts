import type { Actor } from '../../access/actor.ts';

/**
 * Who may see and change a Subscription: the person (in the same role profile, for staff, since
 * notifications are evaluated under that profile's access) or the system client that created it.
 */
export function ownerKey(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
      return `staff:${actor.userId}:${actor.organizationId}:${actor.roleCode}`;
    case 'patient':
      return `patient:${actor.userId}:${actor.patientId}`;
    case 'related-person':
      return `related-person:${actor.userId}:${actor.relatedPersonId}`;
    case 'system':
      return `system:${actor.clientId}`;
  }
}
