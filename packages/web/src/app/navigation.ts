import { portalPatientId, type Session } from '../auth/session.ts';
import { AUDIENCE_ROLES, type ModuleNavItem, type WebModule } from '../modules/contract.ts';

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
        (item.person === undefined || (item.person === 'chosen') === hasPerson),
    );
}

/** Where `/` takes someone: the sign-in page, else their first header link. */
export function homeFor(modules: readonly WebModule[], session: Session | undefined): string {
  return navigationFor(modules, session)[0]?.path ?? (session ? '/accessibility' : '/sign-in');
}
