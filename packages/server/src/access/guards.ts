/**
 * Authorisation in one place: the first line of every service method is one of these guards. They
 * fail closed — no actor is refused (401), the wrong kind of actor or role is refused (403) — and
 * throw the one error type (`OperationOutcomeError`), whose status is derived from the issue code.
 *
 * @example
 * async approve(actor: Actor | undefined, id: string) {
 *   const staff = requireStaff(actor, { roles: PRESCRIBER_ROLES, doing: 'approve repeat prescriptions' });
 *   …
 * }
 */
import type { Actor, StaffActor, SystemActor } from './actor.ts';
import { isSecondaryUse } from './secondary-use.ts';
import { fail } from '../fhir/outcome.ts';

/** Someone is signed in (an account linked to a person in the record, or a system client). */
export function requireActor(actor: Actor | undefined): Actor {
  if (!actor) {
    fail('login', 'Sign in first');
  }
  return actor;
}

export interface StaffRequirement {
  /** National RBAC job role codes allowed; absent means any staff role. */
  roles?: readonly string[];
  /** What the caller is trying to do, for the refusal: "approve repeat prescriptions". */
  doing?: string;
  /** Also allow direct-care system clients (integrations acting for the organisation). */
  allowSystem?: boolean;
}

/** A member of staff (in one of `roles`), or with `allowSystem` a direct-care system client. */
export function requireStaff(
  actor: Actor | undefined,
  requirement?: StaffRequirement & { allowSystem?: false },
): StaffActor;
export function requireStaff(actor: Actor | undefined, requirement: StaffRequirement): StaffActor | SystemActor;
export function requireStaff(actor: Actor | undefined, requirement: StaffRequirement = {}): StaffActor | SystemActor {
  const signedIn = requireActor(actor);
  const doing = requirement.doing ?? 'do this';
  if (signedIn.kind === 'system' && requirement.allowSystem && !isSecondaryUse(signedIn)) {
    return signedIn;
  }
  if (signedIn.kind !== 'staff') {
    fail('forbidden', `Only staff may ${doing}`);
  }
  if (requirement.roles && !requirement.roles.includes(signedIn.roleCode)) {
    fail('forbidden', `Your role (${signedIn.roleCode}) may not ${doing}; it needs ${requirement.roles.join(' or ')}`);
  }
  return signedIn;
}

/**
 * The caller may see `reference` (e.g. `Patient/123`) through the access policy: `read` is the
 * caller's own view of the record, so a hidden resource answers exactly like an absent one (404),
 * and the refusal is audited by the store.
 */
export async function requireAccess(
  read: { read(resourceType: string, id: string): Promise<unknown> },
  reference: string,
): Promise<void> {
  const [resourceType, id] = reference.split('/');
  if (!resourceType || !id) {
    fail('invalid', `'${reference}' is not a reference of the form Type/id`);
  }
  await read.read(resourceType, id);
}
