import type { Actor, StaffActor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import { fail } from '../fhir/outcome.ts';

/** Staff may use practice SMS for the practice of their role profile: GP practices only, any role. */
export function requirePracticeStaff(actor: Actor | undefined, doing: string, roles?: readonly string[]): StaffActor {
  const staff = requireStaff(actor, { doing, ...(roles ? { roles } : {}) });
  if (staff.organizationType !== 'gp-practice') {
    fail('forbidden', `Only GP practice staff may ${doing}`);
  }
  return staff;
}

/** GPs (R8000) decide what a result means for the patient. */
export const CLINICIAN_ROLES = ['R8000'] as const;
