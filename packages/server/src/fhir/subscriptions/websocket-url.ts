/**
 * Where clients open the websocket channel (websocket.routes.ts). Under /api/ so the platform's
 * authentication hook (auth/authenticate.ts) checks the upgrade request's `Authorization: Bearer`
 * token exactly as for any REST call, before the connection is upgraded.
 */
export const WEBSOCKET_PATH = '/api/subscriptions/websocket';

/** The websocket URL the CapabilityStatement advertises (capabilitystatement-websocket extension). */
export function websocketUrl(fhirBase: string): string {
  return `${fhirBase.replace(/\/fhir\/R4\/?$/, '').replace(/^http/, 'ws')}${WEBSOCKET_PATH}`;
}
