import type { Actor } from '../access/actor.ts';
import type { AuthConfig, Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { AppAuthorisations } from './app-consent.ts';
import type { AppRegistry } from './app-registry.ts';
import type { CorsPolicy } from './cors.ts';
import type { GrantRevocations } from './revocations.ts';
import { parseFhirUser, type AuthStore, type UserRecord } from './store.ts';

/**
 * What sign-in needs of the platform: narrow on purpose, so that auth/ does not depend on
 * http/app.ts, which registers it. The app's `Platform` is one.
 */
export interface AuthPlatform {
  config: Pick<Config, 'auth' | 'baseUrl' | 'production' | 'logLevel'>;
  db: Database;
  /** The whole record, unrestricted (sign-in looks up the people accounts are linked to). */
  resources: ResourceService;
  fhirBase: string;
  /** A caller's view of the record (the staff patient picker searches with it); absent in narrow set-ups. */
  accessFor?: (actor: Actor) => CallerAccess;
}

/** Everything the sign-in modules share for one running app. */
export interface AuthContext {
  platform: AuthPlatform;
  config: AuthConfig;
  store: AuthStore;
  /** `${baseUrl}/auth`: the `iss` of every token. */
  issuer: string;
  /** `${baseUrl}/fhir/R4`: the audience of every access token. */
  fhirBase: string;
  /** The public web app (authorization code + PKCE). */
  webClientId: string;
  /** Grants revoked by the provider, whose access tokens are refused. */
  revocations: GrantRevocations;
  /** Which browser origins may call the token endpoint and the FHIR API (`addSource` for registered apps). */
  cors: CorsPolicy;
  /** Registered third-party SMART apps (app-registry.ts). */
  apps: AppRegistry;
  /** What people allowed those apps (the consent screen, the connected-apps page). */
  authorisations: AppAuthorisations;
}

export const WEB_CLIENT_ID = 'careweave-web';
export { AUTH_PREFIX } from './endpoints.ts';

/** What kind of actor a person account signs in as, from the record they are linked to. */
export function userKind(user: Pick<UserRecord, 'fhirUser'>): Exclude<Actor['kind'], 'system'> | undefined {
  const ref = user.fhirUser ? parseFhirUser(user.fhirUser) : undefined;
  switch (ref?.type) {
    case 'Practitioner':
      return 'staff';
    case 'Patient':
      return 'patient';
    case 'RelatedPerson':
      return 'related-person';
    case undefined:
      return undefined;
  }
}
