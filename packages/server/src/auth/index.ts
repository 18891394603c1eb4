/**
 * Sign-in (docs/AUTH.md). What the rest of the platform uses:
 * - `registerAuth(app, platform)` in buildApp, before the routes it protects;
 * - `actorOf(request)` in `serviceFor(request)`: the verified Actor (401 if none);
 * - `requireScope(actor, type, 'c'|'r'|'u'|'d'|'s')` for checks outside the FHIR routes (those are
 *   checked by the preHandler, every Bundle entry included); a new FHIR operation declares its
 *   scopes in its `defineOperation` (src/fhir/operations/define.ts);
 * - `ensureDemoUsers(platform)` after the demo data is loaded, `formatDemoLogins` to print them.
 */
export { registerAuth, clientAddress, type AuthRuntime } from './register.ts';
export { actorOf, AuthenticationError, type VerifiedToken } from './authenticate.ts';
export {
  defineOperationScopes,
  parseScope,
  requireScope,
  requireScopes,
  scopeRequirements,
  scopesAllow,
  type Interaction,
  type ScopeRequirement,
} from './scopes.ts';
export { ensureDemoUsers, formatDemoLogins, type DemoLogin } from './demo-users.ts';
export { ROLE_CODES, ROLE_NAMES, type RoleCode } from './store.ts';
