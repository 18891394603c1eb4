import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { useSyncExternalStore } from 'react';

/** Who is signed in, as the web app needs to know it (the server decides what they may see). */
export type Session = StaffSession | PatientSession | CarerSession | AdminSession;

interface SessionBase {
  name: string;
  /** `oidc`: a real sign-in; `demo`: the open API of a server without sign-in (development only). */
  mode: 'oidc' | 'demo';
}

export interface StaffSession extends SessionBase {
  kind: 'staff';
  practitionerId?: string;
  organizationId?: string;
  roleCode?: string;
}

/** An administrator's account: no one in the record, only users, organisations and apps to look after. */
export interface AdminSession extends SessionBase {
  kind: 'admin';
}

export interface PatientSession extends SessionBase {
  kind: 'patient';
  patientId: string;
}

export interface CarerSession extends SessionBase {
  kind: 'related-person';
  /** The RelatedPerson records of this carer (one for each person they care for), when known. */
  relatedPersonIds: string[];
  /** The person the carer has chosen to act for. */
  actingFor?: { patientId: string; relatedPersonId: string; name: string };
}

export const CLIENT_ID = 'careweave-web';
const DEMO_KEY = 'careweave.demo-session';
const ACTING_KEY = 'careweave.acting-for';

let session: Session | undefined;
let user: User | undefined;
let manager: UserManager | undefined;
const listeners = new Set<() => void>();

function publish(next: Session | undefined): void {
  session = next;
  listeners.forEach((listener) => listener());
}

/** The signed-in session; re-renders when it changes. */
export function useSession(): Session | undefined {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session,
  );
}

export const currentSession = (): Session | undefined => session;

/** Calls `listener` (outside React) whenever the session changes; returns the unsubscribe. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function accessToken(): string | undefined {
  return user && !user.expired ? user.access_token : undefined;
}

/** The patient whose portal pages are shown: the patient, or the person a carer acts for. */
export function portalPatientId(current: Session | undefined): string | undefined {
  if (current?.kind === 'patient') {
    return current.patientId;
  }
  return current?.kind === 'related-person' ? current.actingFor?.patientId : undefined;
}

function userManager(): UserManager {
  manager ??= new UserManager({
    authority: window.location.origin,
    metadataUrl: `${window.location.origin}/.well-known/openid-configuration`,
    client_id: CLIENT_ID,
    redirect_uri: `${window.location.origin}/callback`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: 'code',
    // The server narrows the SMART scopes to the person's kind (staff: user/, patients and carers: patient/).
    scope: 'openid profile fhirUser launch/patient patient/*.cruds user/*.cruds',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    // Access tokens last 15 minutes: renew a minute before expiry with the refresh token (rotated
    // by the server on each use), so a clinician in a long consultation is not signed out.
    automaticSilentRenew: true,
    loadUserInfo: false,
  });
  manager.events.addUserLoaded((renewed) => {
    user = renewed;
  });
  return manager;
}

let renewing: Promise<User | undefined> | undefined;
/**
 * Swaps a kept refresh token for a new access token; undefined when that is no longer possible. One
 * renewal at a time: refresh tokens rotate, and using one twice revokes the whole sign-in.
 */
function renew(): Promise<User | undefined> {
  renewing ??= userManager()
    .signinSilent()
    .then((renewed) => renewed ?? undefined)
    .catch(() => undefined)
    .finally(() => {
      renewing = undefined;
    });
  return renewing;
}

let oidc: Promise<boolean> | undefined;
/** Whether the server offers sign-in (its OpenID Connect discovery document answers). */
export function oidcAvailable(): Promise<boolean> {
  oidc ??= fetch('/.well-known/openid-configuration', { headers: { accept: 'application/json' } })
    .then(
      async (response) =>
        response.ok && Boolean(((await response.json()) as { authorization_endpoint?: string }).authorization_endpoint),
    )
    .catch(() => false);
  return oidc;
}

/** The payload of a JWT (the access token's claims: actor, patient, role profile); not verified here. */
function jwtClaims(token: string | undefined): Record<string, unknown> {
  try {
    const payload = token?.split('.')[1];
    return payload ? (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function sessionFromUser(signedIn: User): Session {
  return sessionFromClaims({ ...jwtClaims(signedIn.access_token), ...(signedIn.profile as Record<string, unknown>) });
}

/**
 * Reads CareWeave's token claims into a session: `fhirUser` (who the person is in the record),
 * `patient` (patients and carers), `role_profile` (staff: organisation and RBAC role), `name`.
 */
export function sessionFromClaims(claims: Record<string, unknown>): Session {
  const text = (key: string): string | undefined => (typeof claims[key] === 'string' ? claims[key] : undefined);
  const [, type, id] = /([A-Za-z]+)\/([^/]+)$/.exec(text('fhirUser') ?? '') ?? [];
  const name = text('name') ?? text('preferred_username') ?? 'Signed in';
  if (type === 'Patient') {
    return { kind: 'patient', name, mode: 'oidc', patientId: id! };
  }
  if (type === 'RelatedPerson') {
    return {
      kind: 'related-person',
      name,
      mode: 'oidc',
      relatedPersonIds: [id!],
    };
  }
  if (!type && claims.admin === true) {
    return { kind: 'admin', name, mode: 'oidc' };
  }
  const profile = (claims.role_profile ?? {}) as { organization?: string; role?: string };
  return {
    kind: 'staff',
    name,
    mode: 'oidc',
    practitionerId: type === 'Practitioner' ? id : undefined,
    organizationId: profile.organization?.split('/').pop(),
    roleCode: profile.role,
  };
}

function withActingFor(next: Session): Session {
  if (next.kind !== 'related-person') {
    return next;
  }
  const saved = window.sessionStorage.getItem(ACTING_KEY);
  return saved ? { ...next, actingFor: JSON.parse(saved) as CarerSession['actingFor'] } : next;
}

/** At start-up: picks up a sign-in kept in this browser tab. */
export async function restoreSession(): Promise<void> {
  if (await oidcAvailable()) {
    let stored = await userManager().getUser();
    if (stored?.expired && stored.refresh_token) {
      stored = (await renew()) ?? null;
    }
    if (stored && !stored.expired) {
      user = stored;
      publish(withActingFor(sessionFromUser(stored)));
      return;
    }
  }
  const demo = window.sessionStorage.getItem(DEMO_KEY);
  if (demo) {
    publish(withActingFor(JSON.parse(demo) as Session));
  }
}

/** Sends the browser to the platform's sign-in page (authorization code + PKCE). */
export async function signIn(returnTo = '/'): Promise<void> {
  await userManager().signinRedirect({ state: { returnTo } });
}

let callback: Promise<string> | undefined;
/**
 * On /callback: exchanges the code for tokens; returns where to go next. Once per page load, however
 * often it is called (React runs effects twice in development): the server treats a second exchange
 * of the same code as a replay and revokes every token issued from it (RFC 6749 §4.1.2).
 */
export function completeSignIn(): Promise<string> {
  callback ??= userManager()
    .signinRedirectCallback()
    .then((signedIn) => {
      user = signedIn;
      publish(sessionFromUser(signedIn));
      const state = signedIn.state as { returnTo?: string } | undefined;
      return state?.returnTo ?? '/';
    });
  return callback;
}

/** Demo sign-in for a server that has no sign-in yet: the API is open, so this is only a label. */
export function demoSignIn(next: Session): void {
  window.sessionStorage.setItem(DEMO_KEY, JSON.stringify(next));
  window.sessionStorage.removeItem(ACTING_KEY);
  publish(next);
}

/** A carer chooses the person they are acting for. */
export function actFor(actingFor: CarerSession['actingFor']): void {
  if (session?.kind !== 'related-person') {
    return;
  }
  if (actingFor) {
    window.sessionStorage.setItem(ACTING_KEY, JSON.stringify(actingFor));
  } else {
    window.sessionStorage.removeItem(ACTING_KEY);
  }
  publish({ ...session, actingFor });
}

export async function signOut(): Promise<void> {
  const wasOidc = session?.mode === 'oidc';
  window.sessionStorage.removeItem(DEMO_KEY);
  window.sessionStorage.removeItem(ACTING_KEY);
  publish(undefined);
  if (wasOidc && user) {
    const idToken = user.id_token;
    user = undefined;
    await userManager().removeUser();
    await userManager()
      .signoutRedirect({ id_token_hint: idToken })
      .catch(() => window.location.assign('/signed-out'));
  }
}

/** A 401 from the API: the token has expired or been revoked. */
export function onUnauthorised(): void {
  if (session?.mode === 'oidc') {
    user = undefined;
    void userManager().removeUser();
    publish(undefined);
  }
}
