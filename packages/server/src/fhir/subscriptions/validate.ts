import { isIP } from 'node:net';
import type { Subscription } from '@medplum/fhirtypes';
import type { SubscriptionConfig } from '../../config/config.ts';
import { issue, OperationOutcomeError, outcome, type IssueCode } from '../outcome.ts';
import { parseCriteria, type Criteria } from './criteria.ts';
import { addressProblem } from './network.ts';

export const FHIR_JSON_PAYLOAD = 'application/fhir+json';
export const FHIR_XML_PAYLOAD = 'application/fhir+xml';
/** Full-resource payloads, each sent in its own format (src/fhir/subscriptions/delivery.ts). */
export const FULL_PAYLOADS: readonly string[] = [FHIR_JSON_PAYLOAD, FHIR_XML_PAYLOAD];

export type EndpointRules = Pick<SubscriptionConfig, 'httpsOnly' | 'allowedHosts' | 'allowPrivateNetworks'>;

/**
 * Why an endpoint is refused: `invalid` when it is not a usable URL (400), `business-rule` when it is
 * one this server will not call (422): a host not allowed, http where https is required, an address
 * inside the server's own networks.
 */
export interface EndpointProblem {
  code: 'invalid' | 'business-rule';
  message: string;
}

/** Headers a subscriber may not set: the server owns the request's framing and content type. */
const RESERVED_HEADERS = new Set(['host', 'content-type', 'content-length', 'transfer-encoding', 'connection']);
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*)$/;

/** Always 400: an unsupported channel is the client's request to fix, not a missing server feature. */
function refuse(code: IssueCode, message: string, element: string): never {
  throw new OperationOutcomeError(outcome(issue('error', code, message, [`Subscription.${element}`])), 400);
}

function hostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  return allowedHosts.includes('*') || allowedHosts.includes(url.host) || allowedHosts.includes(url.hostname);
}

/**
 * Why notifications may not go to `endpoint` under these rules, or undefined when they may. A host
 * name is checked here against the allowed hosts only; the addresses it resolves to are checked at
 * each delivery (src/fhir/subscriptions/endpoint-request.ts), since DNS can change in between.
 */
export function endpointProblem(endpoint: string | undefined, rules: EndpointRules): EndpointProblem | undefined {
  const invalid = (message: string): EndpointProblem => ({ code: 'invalid', message });
  const refused = (message: string): EndpointProblem => ({ code: 'business-rule', message });
  if (!endpoint || !URL.canParse(endpoint)) {
    return invalid(`channel.endpoint must be an absolute http(s) URL, not '${endpoint ?? ''}'`);
  }
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return invalid(`channel.endpoint must be an http(s) URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    return invalid('channel.endpoint may not contain credentials; send them with channel.header');
  }
  if (rules.httpsOnly && url.protocol !== 'https:') {
    return refused('channel.endpoint must be an https URL on this server');
  }
  if (!hostAllowed(url, rules.allowedHosts)) {
    return refused(
      rules.allowedHosts.length
        ? `channel.endpoint host '${url.host}' is not one this server delivers to`
        : 'this server delivers notifications to no endpoint until CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS names its host',
    );
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const problem = isIP(hostname) ? addressProblem(hostname, rules.allowPrivateNetworks) : undefined;
  return problem ? refused(`channel.endpoint: ${problem}`) : undefined;
}

/** `channel.header` entries as name/value pairs ("Authorization: Bearer …"). */
export function parseHeaders(headers: readonly string[] | undefined): [string, string][] {
  return (headers ?? []).map((header, i) => {
    const match = HEADER.exec(header);
    if (!match) {
      return refuse('invalid', `channel.header[${i}] must be 'Name: value'`, `channel.header[${i}]`);
    }
    if (RESERVED_HEADERS.has(match[1]!.toLowerCase())) {
      return refuse('invalid', `channel.header[${i}] may not set ${match[1]}`, `channel.header[${i}]`);
    }
    return [match[1]!, match[2]!.trim()];
  });
}

/**
 * What a client may ask for (docs/FHIR.md, Subscriptions): criteria the search parser accepts, a
 * rest-hook channel to an allowed http(s) endpoint or a websocket channel, id-only or
 * `application/fhir+json` / `application/fhir+xml` payload.
 * Throws an OperationOutcome naming the element (400, or 422 for an endpoint this server will not
 * call); returns the parsed criteria.
 */
export function validateSubscription(subscription: Subscription, rules: EndpointRules): Criteria {
  const criteria = parseCriteria(subscription.criteria);
  const channel = subscription.channel;
  if (channel?.type !== 'rest-hook' && channel?.type !== 'websocket') {
    refuse(
      'not-supported',
      `channel.type '${channel?.type ?? ''}' is not supported; use rest-hook or websocket`,
      'channel.type',
    );
  }
  // A websocket Subscription is told nothing but `ping {id}` on the client's own connection
  // (websocket.ts): the server calls no endpoint, so there is none to check.
  const problem = channel.type === 'websocket' ? undefined : endpointProblem(channel.endpoint, rules);
  if (problem?.code === 'invalid') {
    refuse('invalid', problem.message, 'channel.endpoint');
  }
  if (problem) {
    throw new OperationOutcomeError(
      outcome(issue('error', 'business-rule', problem.message, ['Subscription.channel.endpoint'])),
    );
  }
  if (channel.payload !== undefined && !FULL_PAYLOADS.includes(channel.payload)) {
    refuse(
      'not-supported',
      `channel.payload '${channel.payload}' is not supported; omit it (id only) or use ${FULL_PAYLOADS.join(' or ')}`,
      'channel.payload',
    );
  }
  parseHeaders(channel.header);
  return criteria;
}
