import type { Subscription } from '@medplum/fhirtypes';
import type { SubscriptionConfig } from '../../config/config.ts';
import { issue, OperationOutcomeError, outcome, type IssueCode } from '../outcome.ts';
import { parseCriteria, type Criteria } from './criteria.ts';

export const FHIR_JSON_PAYLOAD = 'application/fhir+json';

export type EndpointRules = Pick<SubscriptionConfig, 'httpsOnly' | 'allowedHosts'>;

/** Headers a subscriber may not set: the server owns the request's framing and content type. */
const RESERVED_HEADERS = new Set(['host', 'content-type', 'content-length', 'transfer-encoding', 'connection']);
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*)$/;

/** Always 400: an unsupported channel is the client's request to fix, not a missing server feature. */
function refuse(code: IssueCode, message: string, element: string): never {
  throw new OperationOutcomeError(outcome(issue('error', code, message, [`Subscription.${element}`])), 400);
}

/** Why notifications may not go to `endpoint` under these rules, or undefined when they may. */
export function endpointProblem(endpoint: string | undefined, rules: EndpointRules): string | undefined {
  if (!endpoint || !URL.canParse(endpoint)) {
    return `channel.endpoint must be an absolute http(s) URL, not '${endpoint ?? ''}'`;
  }
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && (rules.httpsOnly || url.protocol !== 'http:')) {
    return `channel.endpoint must be an ${rules.httpsOnly ? 'https' : 'http(s)'} URL, not ${url.protocol}`;
  }
  if (url.username || url.password) {
    return 'channel.endpoint may not contain credentials; send them with channel.header';
  }
  if (rules.allowedHosts && !rules.allowedHosts.includes(url.host) && !rules.allowedHosts.includes(url.hostname)) {
    return `channel.endpoint host '${url.host}' is not one this server delivers to`;
  }
  return undefined;
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
 * rest-hook channel to an allowed http(s) endpoint, id-only or `application/fhir+json` payload.
 * Throws a 400 OperationOutcome naming the element; returns the parsed criteria.
 */
export function validateSubscription(subscription: Subscription, rules: EndpointRules): Criteria {
  const criteria = parseCriteria(subscription.criteria);
  const channel = subscription.channel;
  if (channel?.type !== 'rest-hook') {
    refuse('not-supported', `channel.type '${channel?.type ?? ''}' is not supported; use rest-hook`, 'channel.type');
  }
  const problem = endpointProblem(channel.endpoint, rules);
  if (problem) {
    refuse('invalid', problem, 'channel.endpoint');
  }
  if (channel.payload !== undefined && channel.payload !== FHIR_JSON_PAYLOAD) {
    refuse(
      'not-supported',
      `channel.payload '${channel.payload}' is not supported; omit it (id only) or use ${FHIR_JSON_PAYLOAD}`,
      'channel.payload',
    );
  }
  parseHeaders(channel.header);
  return criteria;
}
