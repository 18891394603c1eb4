import { isKnownResourceType } from '../definitions.ts';
import { badRequest, fail } from '../outcome.ts';
import { RESULT_PARAMS } from '../search/model.ts';
import { parseSearch } from '../search/parse.ts';

export interface Criteria {
  resourceType: string;
  query: [string, string][];
}

const EXPRESSION = ['Subscription.criteria'];

/**
 * `Subscription.criteria`: a search `Type?params` (or a bare `Type`: every resource of it) that
 * the server's search parser accepts strictly, so a mistyped parameter is refused rather than
 * silently ignored (which would notify on every resource of the type).
 */
export function parseCriteria(criteria: string | undefined): Criteria {
  const match = /^([A-Za-z]+)(?:\?(.*))?$/s.exec(criteria?.trim() ?? '');
  if (!match) {
    return badRequest(`criteria must be a search of the form Type?parameters, not '${criteria ?? ''}'`, EXPRESSION);
  }
  const resourceType = match[1]!;
  if (!isKnownResourceType(resourceType)) {
    return badRequest(`criteria: unknown resource type '${resourceType}'`, EXPRESSION);
  }
  if (resourceType === 'Subscription') {
    // A status change of a Subscription (which delivery itself makes) would notify again.
    return fail('not-supported', 'criteria: Subscriptions cannot watch Subscription resources', EXPRESSION);
  }
  const query = [...new URLSearchParams(match[2] ?? '')];
  const resultParam = query.find(([name]) => RESULT_PARAMS.has(name.split(':')[0]!));
  if (resultParam) {
    return badRequest(`criteria: '${resultParam[0]}' shapes results; only search parameters are allowed`, EXPRESSION);
  }
  try {
    parseSearch(resourceType, query, { defaultCount: 1, maxCount: 1, strict: true });
  } catch (error) {
    return badRequest(`criteria: ${(error as Error).message}`, EXPRESSION);
  }
  return { resourceType, query };
}
