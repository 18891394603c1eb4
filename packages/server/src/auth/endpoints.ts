/**
 * Where the sign-in endpoints are, for everything that advertises them (SMART discovery, OpenID
 * discovery, the CapabilityStatement's `rest.security`). Kept free of the provider's imports so
 * the FHIR layer can name them without loading oidc-provider.
 */

/** The mount of the OpenID provider; the issuer is `${baseUrl}${AUTH_PREFIX}`. */
export const AUTH_PREFIX = '/auth';

/** The provider's routes, under the /auth mount. */
export const ROUTES = {
  authorization: '/authorize',
  token: '/token',
  jwks: '/jwks',
  userinfo: '/userinfo',
  end_session: '/logout',
  introspection: '/introspect',
  revocation: '/revoke',
  pushed_authorization_request: '/par',
  registration: '/reg',
} as const;

/** The SMART endpoints a FHIR client needs, as the oauth-uris extension names them. */
export interface OAuthUris {
  authorize: string;
  token: string;
  revoke: string;
  introspect: string;
  /** RFC 7591 dynamic client registration (behind an initial access token). */
  register?: string;
}

/** The sign-in endpoints of the server whose FHIR base is `fhirBase` (`…/fhir/R4`). */
export function oauthUris(fhirBase: string): OAuthUris {
  const issuer = `${fhirBase.replace(/\/fhir\/R4\/?$/, '')}${AUTH_PREFIX}`;
  return {
    authorize: `${issuer}${ROUTES.authorization}`,
    token: `${issuer}${ROUTES.token}`,
    revoke: `${issuer}${ROUTES.revocation}`,
    introspect: `${issuer}${ROUTES.introspection}`,
    register: `${issuer}${ROUTES.registration}`,
  };
}
