import { decodeJwt, type JWK } from 'jose';
import Provider, {
  errors,
  type AccessToken,
  type ClientCredentials,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { SYSTEM_PURPOSES, systemPurpose } from '../access/secondary-use.ts';
import { oidcAdapter } from './adapter.ts';
import { registrationFeature, storeRegisteredClient } from './app-registration.ts';
import { ROUTES } from './endpoints.ts';
import { WEB_CLIENT_ID, userKind, type AuthContext } from './context.ts';
import { SIGNING_ALG } from './keys.ts';
import { grantPatient } from './patient-picker.ts';
import { publicRefreshClientId } from './public-refresh.ts';
import { grantTag } from './revocations.ts';
import { isSmartScope, permittedScopes, scopeCoveredBy } from './scopes.ts';
import { parseFhirUser } from './store.ts';
import { renderErrorPage, renderLogoutPage, renderMessagePage } from './views.ts';

/** Client metadata property listing the SMART scope patterns a client may be given. */
export const ALLOWED_SCOPES_PROPERTY = 'careweave_allowed_scopes';

/**
 * Client metadata property: why a system client processes patient data (`direct-care`, `planning`,
 * `research`; access/secondary-use.ts). Carried into its access tokens as the `purpose` claim.
 */
export const PURPOSE_PROPERTY = 'careweave_purpose';

/** What the web app may ask for; the person's kind narrows it at sign-in. */
const WEB_ALLOWED_SCOPES = ['patient/*.cruds', 'user/*.cruds'];

export { ROUTES };

/**
 * The scopes that are not SMART resource scopes. `online_access` (SMART): a refresh token that
 * lives with the sign-in session — what every person's client gets anyway; asking for it lets a
 * SMART client (fhirclient) see in the token response that it may refresh.
 */
export const OIDC_SCOPES = ['openid', 'offline_access', 'online_access', 'fhirUser', 'profile', 'launch/patient'];

export const CLIENT_AUTH_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'ES256', 'ES384', 'EdDSA'] as const;

type Entities = {
  AuthorizationCode?: { scope?: string };
  RefreshToken?: { scope?: string };
  Client?: { clientId: string; [key: string]: unknown };
};

/** Every scope this request could end up asking for: its own, and that of the code or refresh token exchanged. */
function candidateScopes(ctx: KoaContextWithOIDC): string[] {
  const entities = ctx.oidc.entities as Entities;
  const sources = [
    ctx.oidc.params?.scope as string | undefined,
    entities.AuthorizationCode?.scope,
    entities.RefreshToken?.scope,
  ];
  return [...new Set(sources.flatMap((s) => (typeof s === 'string' ? s.split(' ') : [])).filter(Boolean))];
}

/**
 * A backend client gets the part of what it asks for that it was registered for (SMART v2: the
 * server may grant less than requested), never a token with no scope: `invalid_scope` when nothing
 * remains. The request's `scope` is narrowed in place, because the provider keeps only requested
 * scopes that the resource server lists.
 */
function systemScope(ctx: KoaContextWithOIDC, patterns: readonly string[]): string {
  const raw = ctx.oidc.params?.scope;
  const requested = (typeof raw === 'string' ? raw : '').split(' ').filter(Boolean);
  const granted = permittedScopes(requested.filter(isSmartScope), patterns);
  if (!granted.length) {
    throw new errors.InvalidScope(
      requested.length
        ? 'none of the requested scopes is permitted for this client'
        : 'ask for the SMART system scopes this client was registered for',
      requested.join(' '),
    );
  }
  ctx.oidc.params!.scope = [...requested.filter((s) => !isSmartScope(s)), ...granted].join(' ');
  return granted.join(' ');
}

function allowedPatterns(auth: AuthContext, client: { clientId: string; [key: string]: unknown }): string[] {
  if (client.clientId === auth.webClientId) {
    return WEB_ALLOWED_SCOPES;
  }
  const extra = client[ALLOWED_SCOPES_PROPERTY];
  return typeof extra === 'string' ? extra.split(' ').filter(Boolean) : [];
}

/** The static clients: the web app and, when configured, the bootstrap client. */
function staticClients(auth: AuthContext): ClientMetadata[] {
  const clients: ClientMetadata[] = [
    {
      client_id: WEB_CLIENT_ID,
      client_name: 'CareWeave web app',
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: auth.config.webRedirectUris,
      post_logout_redirect_uris: auth.config.webRedirectUris.map((uri) => new URL('/', uri).href),
    },
  ];
  const bootstrap = auth.config.bootstrapClient;
  if (bootstrap) {
    clients.push({
      client_id: bootstrap.clientId,
      client_secret: bootstrap.clientSecret,
      client_name: 'Bootstrap client (development and first set-up only)',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      [ALLOWED_SCOPES_PROPERTY]: 'system/*.cruds',
    });
  }
  return clients;
}

/**
 * The OpenID provider (oidc-provider, OpenID Certified): authorization code + PKCE for people,
 * client credentials (private_key_jwt, or client_secret_basic for the bootstrap client) for
 * systems. Access tokens are JWTs for the FHIR base carrying SMART scopes and who the person is;
 * everything it stores goes through our Database.
 */
export function createProvider(auth: AuthContext, signingKeys: JWK[]): Provider {
  const { store, fhirBase, config } = auth;

  const configuration: Configuration = {
    adapter: oidcAdapter(
      auth.platform.db,
      (grantId) => auth.revocations.revoke(grantId),
      storeRegisteredClient(auth.apps),
    ),
    clients: staticClients(auth),
    jwks: { keys: signingKeys },
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub'],
      fhirUser: ['fhirUser'],
      profile: ['name', 'preferred_username'],
    },
    extraClientMetadata: {
      properties: [ALLOWED_SCOPES_PROPERTY, PURPOSE_PROPERTY],
      // A stored client with a purpose we do not know is not loaded at all (admin.ts refuses one at
      // registration): better no token than one whose use nobody can tell.
      validator: (_ctx, key, value) => {
        if (key === PURPOSE_PROPERTY && value !== undefined && !systemPurpose(value)) {
          throw new errors.InvalidClientMetadata(`${PURPOSE_PROPERTY} must be one of ${SYSTEM_PURPOSES.join(', ')}`);
        }
      },
    },
    // SMART App Launch 2.0: `aud` names the FHIR server the app means to call (so that a token
    // is never handed to a counterfeit one). Checked after the redirect URI, so a refusal goes
    // back to the app as `invalid_request`.
    extraParams: { aud: (_ctx, value, client) => checkAudience(auth, value, client.clientId) },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: [...CLIENT_AUTH_ALGS] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    routes: ROUTES,
    conformIdTokenClaims: true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 7591 at /auth/reg, behind an initial access token (src/auth/app-registration.ts).
      registration: registrationFeature(auth.apps),
      introspection: { enabled: true },
      revocation: { enabled: true },
      // Access tokens are plain bearer tokens: a DPoP binding the resource server does not check
      // would only look like protection.
      dPoP: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = renderMessagePage('You have signed out', 'You have signed out of CareWeave.');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator, client) => {
          if (resourceIndicator !== fhirBase) {
            throw new errors.InvalidTarget(`the only resource is ${fhirBase}`);
          }
          const patterns = allowedPatterns(auth, client);
          const scope =
            ctx.oidc.params?.grant_type === 'client_credentials'
              ? systemScope(ctx, patterns)
              : candidateScopes(ctx)
                  .filter((s) => isSmartScope(s) && scopeCoveredBy(s, patterns))
                  .join(' ');
          return {
            scope,
            audience: fhirBase,
            accessTokenTTL: config.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALG } },
          };
        },
      },
    },
    interactions: {
      url: (_ctx, interaction) => `/auth/interaction/${interaction.uid}`,
    },
    ttl: {
      AccessToken: () => config.accessTokenTtlSeconds,
      ClientCredentials: () => config.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 12 * 3600,
      Grant: 12 * 3600,
      RefreshToken: 12 * 3600,
    },
    cookies: {
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    // Reached only for an origin the CORS hook did not allow (src/auth/cors.ts): it answers allowed
    // origins itself, and the provider then adds nothing. Kept as the same rule, so that the two
    // cannot disagree.
    clientBasedCORS: (_ctx, origin) => auth.cors.allows(origin),
    async findAccount(_ctx, sub) {
      const user = await store.userById(sub);
      if (!user || user.disabled) {
        return undefined;
      }
      return {
        accountId: user.id,
        claims: () => ({
          sub: user.id,
          preferred_username: user.username,
          ...(user.displayName ? { name: user.displayName } : {}),
          ...(user.fhirUser ? { fhirUser: `${fhirBase}/${user.fhirUser}` } : {}),
        }),
      };
    },
    extraTokenClaims: (ctx, token) =>
      tokenClaims(auth, token, (ctx.oidc.client as unknown as Record<string, unknown> | undefined)?.[PURPOSE_PROPERTY]),
    // The web app renews its short-lived access tokens with a refresh token instead of sending the
    // person back to sign in every 15 minutes. Without `offline_access` the refresh token belongs
    // to the sign-in session (signing out ends it), and for a public client it rotates on every
    // use (oidc-provider's default), as the OAuth browser-app guidance asks.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out.error_description ?? out.error ?? 'Something went wrong');
    },
  };

  const provider = new Provider(auth.issuer, configuration);
  // Behind a TLS-terminating load balancer, trust its X-Forwarded-* headers.
  provider.proxy = config.trustProxy;

  provider.use(publicRefreshClientId(auth));
  // SMART: the token response names the patient in context (patient users and carers), and its
  // `scope` every scope granted (below).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === ROUTES.token && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      const body = ctx.body as Record<string, unknown>;
      if (typeof body.access_token === 'string') {
        const claims = decodeJwt(body.access_token);
        if (typeof claims.patient === 'string') {
          body.patient = claims.patient;
        }
        if (typeof claims.fhirUser === 'string') {
          body.fhirUser = claims.fhirUser;
        }
        body.scope = grantedScope(ctx as unknown as KoaContextWithOIDC, body) || undefined;
      }
    }
  });
  // The provider's own CORS on its open endpoints (keys, discovery) answers any origin; the CORS
  // hook already answered those it allows, so what is left here is a disallowed origin: no headers.
  provider.use(async (ctx, next) => {
    await next();
    const origin = ctx.get('Origin');
    if (origin && !auth.cors.allows(origin)) {
      for (const name of Object.keys(ctx.response.headers)) {
        if (name.toLowerCase().startsWith('access-control-')) {
          ctx.remove(name);
        }
      }
    }
  });
  return provider;
}

/**
 * Every scope the token response grants (SMART: the app learns from it what it may do, e.g.
 * fhirclient refreshes only when `offline_access` or `online_access` is listed): the access
 * token's resource scopes, which the provider alone would list, and the OpenID and launch scopes
 * of the code or refresh token exchanged. `launch/patient` only when a patient is in context;
 * `online_access` whenever a refresh token comes without `offline_access`.
 */
function grantedScope(ctx: KoaContextWithOIDC, body: Record<string, unknown>): string {
  const entities = ctx.oidc.entities as Entities;
  const exchanged = (entities.AuthorizationCode?.scope ?? entities.RefreshToken?.scope ?? '').split(' ');
  const resource = typeof body.scope === 'string' ? body.scope.split(' ') : [];
  const other = exchanged.filter(
    (scope) => OIDC_SCOPES.includes(scope) && (scope !== 'launch/patient' || typeof body.patient === 'string'),
  );
  // A refresh token says what kind it is. Without `offline_access` (the provider grants it only
  // with prompt=consent, as OpenID Connect asks) the refresh token lives with the sign-in session:
  // SMART's `online_access`, which is what a SMART client looks for before it refreshes.
  if (typeof body.refresh_token === 'string' && !other.includes('offline_access')) {
    other.push('online_access');
  }
  return [...new Set([...other, ...resource])].filter(Boolean).join(' ');
}

/**
 * The authorization request's `aud` must be this server's FHIR base (a trailing slash aside). It
 * is required, as SMART App Launch 2.0 says, of every client but the first-party web app, which
 * is not a SMART app and knows its server (`resource`, when given, is checked by the provider).
 */
function checkAudience(auth: AuthContext, value: string | undefined, clientId: string): void {
  if (value === undefined || value === '') {
    if (clientId !== auth.webClientId) {
      throw new errors.InvalidRequest(`aud is required: give this server's FHIR base, ${auth.fhirBase}`);
    }
    return;
  }
  if (value.replace(/\/+$/, '') !== auth.fhirBase) {
    throw new errors.InvalidRequest(`aud must be this server's FHIR base, ${auth.fhirBase}`);
  }
}

/**
 * Claims added to access tokens: who the person is in the record (`fhirUser`), the patient in
 * context for patients and carers, for staff the role profile chosen at sign-in, and a tag of the
 * grant (`grant`) so that a revoked grant's tokens are refused. A system client's token carries the
 * purpose it was registered for (`purpose`), when it was registered with one.
 */
async function tokenClaims(
  auth: AuthContext,
  token: AccessToken | ClientCredentials,
  clientPurpose: unknown,
): Promise<Record<string, unknown> | undefined> {
  if (token.kind === 'ClientCredentials') {
    return { actor: 'system', ...(typeof clientPurpose === 'string' ? { purpose: clientPurpose } : {}) };
  }
  // The grant the token comes from, so the token dies with it (src/auth/revocations.ts).
  const grant = token.grantId ? { grant: grantTag(token.grantId) } : {};
  const accountId = token.accountId;
  const user = await auth.store.userById(accountId);
  if (!user?.fhirUser) {
    // An administrator's account is no one in the record: the claim only tells the web app to show the
    // administration pages (the admin API checks the account itself on every call).
    return { actor: 'none', ...grant, ...(user?.isAdmin ? { admin: true } : {}) };
  }
  const kind = userKind(user);
  const ref = parseFhirUser(user.fhirUser)!;
  const claims: Record<string, unknown> = { actor: kind, fhirUser: `${auth.fhirBase}/${user.fhirUser}`, ...grant };
  if (kind === 'patient') {
    claims.patient = ref.id;
  } else if (kind === 'related-person') {
    const patient = await relatedPersonPatient(auth, ref.id);
    if (patient) {
      claims.patient = patient;
    }
  } else if (kind === 'staff') {
    const grantId = token.grantId;
    const profile = grantId ? await auth.store.grantProfile(grantId) : undefined;
    // A staff standalone launch with launch/patient: the patient chosen in the picker (patient-picker.ts).
    const chosen = grantId ? await grantPatient(auth, grantId) : undefined;
    if (chosen) {
      claims.patient = chosen;
    }
    if (profile) {
      claims.role_profile = {
        id: profile.id,
        organization: profile.organizationId,
        role: profile.roleCode,
        ...(profile.practitionerRoleId ? { practitionerRole: profile.practitionerRoleId } : {}),
      };
    }
  }
  return claims;
}

/** The patient a RelatedPerson is for, from the record (unrestricted read). */
export async function relatedPersonPatient(
  auth: Pick<AuthContext, 'platform'>,
  id: string,
): Promise<string | undefined> {
  try {
    const stored = await auth.platform.resources.read('RelatedPerson', id);
    const resource = JSON.parse(stored.json ?? '{}') as { patient?: { reference?: string } };
    const match = /(?:^|\/)Patient\/([A-Za-z0-9.-]{1,64})$/.exec(resource.patient?.reference ?? '');
    return match?.[1];
  } catch {
    return undefined;
  }
}
