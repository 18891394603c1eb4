import { portalPatientId, type Session } from '../auth/session.ts';
import { AUDIENCE_ROLES, type HomeCard, type ModuleNavItem, type WebModule } from '../modules/contract.ts';

/**
 * The header links for who is signed in, in module order: each module's links for their audience
 * and role; portal links only once there is a person to show (a carer chooses first).
 */
export function navigationFor(modules: readonly WebModule[], session: Session | undefined): ModuleNavItem[] {
  if (!session) {
    return [];
  }
  const hasPerson = session.kind === 'staff' || Boolean(portalPatientId(session));
  return modules
    .flatMap((module) => module.navigation)
    .filter(
      (item) =>
        AUDIENCE_ROLES[item.audience].includes(session.kind) &&
        (!item.roles || item.roles.includes(session.kind)) &&
        forRole(item.roleCodes, session) &&
        (item.person === undefined || (item.person === 'chosen') === hasPerson),
    );
}

/** Whether work meant for these staff roles is for this session (all staff when no roles are named). */
export function forRole(roleCodes: readonly string[] | undefined, session: Session): boolean {
  // A staff session without a role (the open development API) sees all staff work.
  return !roleCodes || (session.kind === 'staff' && (!session.roleCode || roleCodes.includes(session.roleCode)));
}

/** The home page's cards for this member of staff, in module order. */
export function homeCardsFor(modules: readonly WebModule[], session: Session | undefined): HomeCard[] {
  if (session?.kind !== 'staff') {
    return [];
  }
  return modules.flatMap((module) => module.home ?? []).filter((card) => forRole(card.roleCodes, session));
}

/** Where `/` takes someone: the sign-in page, else their first header link (staff: their home page). */
export function homeFor(modules: readonly WebModule[], session: Session | undefined): string {
  return navigationFor(modules, session)[0]?.path ?? (session ? '/accessibility' : '/sign-in');
}
