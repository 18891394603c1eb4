import { CLIENT_AUTH_ALGS, OIDC_SCOPES, ROUTES } from './provider.ts';

/** `/.well-known/smart-configuration` (SMART App Launch 2.0). */
export function smartConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}${ROUTES.jwks}`,
    authorization_endpoint: `${issuer}${ROUTES.authorization}`,
    token_endpoint: `${issuer}${ROUTES.token}`,
    introspection_endpoint: `${issuer}${ROUTES.introspection}`,
    revocation_endpoint: `${issuer}${ROUTES.revocation}`,
    userinfo_endpoint: `${issuer}${ROUTES.userinfo}`,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt', 'client_secret_basic'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_AUTH_ALGS],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [
      ...OIDC_SCOPES,
      'patient/*.rs',
      'patient/*.cruds',
      'user/*.rs',
      'user/*.cruds',
      'system/*.rs',
      'system/*.cruds',
      'patient/*.read',
      'patient/*.write',
      'user/*.read',
      'user/*.write',
      'system/*.read',
      'system/*.write',
    ],
    capabilities: [
      'launch-standalone',
      'authorize-post',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-standalone-patient',
      'sso-openid-connect',
      'permission-offline',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}
