import { errors, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AppRegistry } from './app-registry.ts';
import { SMART_APP_POLICY } from './app-registry.ts';
import {
  APP_ALLOWED_SCOPES_PROPERTY,
  APP_AUTH_METHODS,
  AppMetadataError,
  appMetadata,
  type AppAuthMethod,
} from './apps.ts';
import { isSmartScope } from './scopes.ts';

type RegistrationFeature = NonNullable<NonNullable<Configuration['features']>['registration']>;

/** Metadata a registering app may not set: ours, or the provider's for other kinds of client. */
const PRIVATE_PROPERTIES = ['careweave_allowed_scopes', 'careweave_purpose'];

function oidcError(error: AppMetadataError): Error {
  return error.code === 'invalid_redirect_uri'
    ? new errors.InvalidRedirectUri(error.message)
    : new errors.InvalidClientMetadata(error.message);
}

/**
 * The `smart-app` policy of every initial access token: what an app asks for at /auth/reg is
 * held to the rules of an administrator's registration (apps.ts) — authorization code and
 * refresh tokens only (never client credentials), https redirect URIs no other client has, one
 * of the advertised token endpoint authentication methods, and patient/ or user/ scopes only,
 * taken from the RFC 7591 `scope` (which the provider would otherwise use to refuse `openid`).
 */
export function smartAppPolicy(registry: AppRegistry) {
  return async function smartApp(_ctx: KoaContextWithOIDC, properties: AdapterPayload): Promise<void> {
    for (const key of PRIVATE_PROPERTIES) {
      delete properties[key];
    }
    const grants = Array.isArray(properties.grant_types) ? properties.grant_types : ['authorization_code'];
    const other = grants.filter((g) => g !== 'authorization_code' && g !== 'refresh_token');
    if (other.length) {
      throw new errors.InvalidClientMetadata(
        `grant_types may hold authorization_code and refresh_token only (not ${other.join(', ')})`,
      );
    }
    const method = (properties.token_endpoint_auth_method ?? 'client_secret_basic') as AppAuthMethod;
    if (!APP_AUTH_METHODS.includes(method)) {
      throw new errors.InvalidClientMetadata(
        `token_endpoint_auth_method must be one of ${APP_AUTH_METHODS.join(', ')}`,
      );
    }
    if (typeof properties.client_name !== 'string' || !properties.client_name.trim()) {
      throw new errors.InvalidClientMetadata('client_name is required: people are asked whether to allow it by name');
    }
    if (properties.redirect_uris !== undefined && !Array.isArray(properties.redirect_uris)) {
      throw new errors.InvalidClientMetadata('redirect_uris must be an array');
    }
    // The resource scopes asked for, of those an app may have (the server may register less, RFC 7591 §2).
    const requested = (typeof properties.scope === 'string' ? properties.scope.split(' ') : []).filter(
      (scope) => isSmartScope(scope) && !scope.startsWith('system/'),
    );
    const redirectUris = Array.isArray(properties.redirect_uris) ? properties.redirect_uris.map(String) : [];
    let checked: Record<string, unknown>;
    try {
      checked = appMetadata({
        clientId: String(properties.client_id),
        name: properties.client_name,
        redirectUris,
        authentication: method,
        ...(properties.jwks ? { jwks: properties.jwks as { keys: [] } } : {}),
        ...(typeof properties.jwks_uri === 'string' ? { jwksUri: properties.jwks_uri } : {}),
        scopes: requested,
      }).metadata;
      await registry.checkRedirectUris(redirectUris);
    } catch (error) {
      throw error instanceof AppMetadataError ? oidcError(error) : error;
    }
    delete properties.scope;
    properties.grant_types = ['authorization_code', 'refresh_token'];
    properties.response_types = ['code'];
    properties.token_endpoint_auth_method = method;
    properties[APP_ALLOWED_SCOPES_PROPERTY] = checked[APP_ALLOWED_SCOPES_PROPERTY];
  };
}

/**
 * oidc-provider's `features.registration`: RFC 7591 dynamic registration at /auth/reg, only with
 * an initial access token (`careweave apps token`, or POST /api/admin/apps/initial-access-tokens),
 * stored in the database so that any instance accepts it. No registration management (RFC 7592):
 * an app is changed or removed by an administrator, never by whoever holds its registration token.
 */
export function registrationFeature(registry: AppRegistry): RegistrationFeature {
  return {
    enabled: true,
    initialAccessToken: true,
    policies: { [SMART_APP_POLICY]: smartAppPolicy(registry) },
    issueRegistrationAccessToken: false,
  };
}

/** The adapter's Client upsert (dynamic registration): a new client only, with the same checks again. */
export function storeRegisteredClient(registry: AppRegistry) {
  return async function store(clientId: string, metadata: AdapterPayload): Promise<void> {
    try {
      const name = typeof metadata.client_name === 'string' ? metadata.client_name : clientId;
      await registry.insert(clientId, name, metadata);
    } catch (error) {
      throw error instanceof AppMetadataError ? oidcError(error) : error;
    }
  };
}
