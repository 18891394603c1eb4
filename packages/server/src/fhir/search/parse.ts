import { compositeParamsFor, fhirDefinitions, searchParamsFor } from '../definitions.ts';
import { MAX_SEARCH_PARAMETERS, MAX_SEARCH_VALUES } from '../limits.ts';
import { badRequest, tooCostly } from '../outcome.ts';
import { RESULT_PARAMS, type IncludeRule, type SearchFilter, type SearchRequest, type SortRule } from './model.ts';

export interface ParseOptions {
  defaultCount: number;
  maxCount: number;
  /** `Prefer: handling=strict`: unknown parameters are an error instead of a warning. */
  strict: boolean;
}

const SPECIAL_PARAMS = new Set(['_id', '_lastUpdated']);
/** Full-text search: not offered (no text index); said plainly rather than as an unknown parameter. */
const FULL_TEXT = new Set(['_text', '_content']);
const MODIFIERS_BY_TYPE: Record<string, readonly string[]> = {
  string: ['exact', 'contains', 'missing'],
  token: ['not', 'text', 'missing'],
  reference: ['missing', 'identifier'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  uri: ['missing', 'below', 'above'],
};

/** Parses `[name, value]` pairs from a query string or a `POST _search` form body. */
export function parseSearch(
  resourceType: string,
  pairs: readonly [string, string][],
  options: ParseOptions,
): SearchRequest {
  checkLimits(pairs);
  const request: SearchRequest = {
    resourceType,
    filters: [],
    sort: [],
    count: options.defaultCount,
    include: [],
    revinclude: [],
    ignored: [],
  };
  const reject = (name: string, reason: string): undefined => {
    if (options.strict) {
      badRequest(`Search parameter ${name}: ${reason}`);
    }
    request.ignored.push({ name, reason });
  };
  for (const [rawName, value] of pairs) {
    if (RESULT_PARAMS.has(rawName.split(':')[0]!)) {
      applyResultParam(request, rawName, value, options);
    } else if (rawName.startsWith('_has:')) {
      const filter = parseHas(resourceType, rawName, value, reject);
      if (filter) {
        request.filters.push(filter);
      }
    } else {
      const filter = parseFilter(resourceType, rawName, value, reject);
      if (filter) {
        request.filters.push(filter);
      }
    }
  }
  return request;
}

type Reject = (name: string, reason: string) => undefined;

/** NUL, which PostgreSQL text cannot hold, and a UTF-16 surrogate without its pair. */
const UNSTORABLE = /[\0\p{Cs}]/u;

/**
 * Refuses, before any work, a search with more parameters or values than any real client sends
 * (each value becomes SQL to plan and run), and values PostgreSQL cannot hold (NUL).
 */
function checkLimits(pairs: readonly [string, string][]): void {
  const counts = new Map<string, number>();
  for (const [rawName, value] of pairs) {
    const name = rawName.split(/[:.]/, 1)[0]!;
    if (UNSTORABLE.test(rawName) || UNSTORABLE.test(value)) {
      badRequest(`Search parameter '${name}' holds a NUL character or an unpaired surrogate`, [name]);
    }
    const count = (counts.get(name) ?? 0) + splitValues(value).length;
    if (count > MAX_SEARCH_VALUES) {
      throw tooCostly(`Search parameter '${name}' has more than ${MAX_SEARCH_VALUES} values`, 400, [name]);
    }
    counts.set(name, count);
  }
  if (pairs.length > MAX_SEARCH_PARAMETERS) {
    const [most = ''] = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
    throw tooCostly(
      `The search has ${pairs.length} parameters; at most ${MAX_SEARCH_PARAMETERS} are allowed (most often '${most}')`,
      400,
      [most],
    );
  }
}

function parseFilter(resourceType: string, rawName: string, value: string, reject: Reject): SearchFilter | undefined {
  const dot = rawName.indexOf('.');
  const head = dot >= 0 ? rawName.slice(0, dot) : rawName;
  const [name = '', modifier] = splitOnce(head, ':');
  if (SPECIAL_PARAMS.has(name)) {
    if (modifier && modifier !== 'missing' && !(name === '_id' && modifier === 'not')) {
      return reject(rawName, `modifier :${modifier} is not supported`);
    }
    return { name, modifier, values: splitValues(value) };
  }
  if (FULL_TEXT.has(name)) {
    return reject(
      rawName,
      'full-text search (_text, _content) is not supported by this server; search a string or token parameter instead (name, code:text)',
    );
  }
  const definition = searchParamsFor(resourceType).get(name);
  if (!definition && compositeParamsFor(resourceType).has(name)) {
    if (dot >= 0) {
      return reject(rawName, 'only reference parameters can be chained');
    }
    if (modifier && modifier !== 'missing') {
      return reject(rawName, `modifier :${modifier} is not supported for composite parameters`);
    }
    return { name, modifier, values: splitValues(value) };
  }
  if (!definition) {
    const unsupported = fhirDefinitions().unsupportedParams.get(resourceType)?.includes(name);
    return reject(rawName, unsupported ? 'not supported by this server' : `unknown for ${resourceType}`);
  }
  if (dot >= 0) {
    if (definition.type !== 'reference') {
      return reject(rawName, 'only reference parameters can be chained');
    }
    const rest = rawName.slice(dot + 1);
    const innerName = rest.split(/[.:]/)[0] ?? '';
    // Without a :Type modifier, chain into every target type that has the next parameter.
    const candidates = modifier
      ? [modifier]
      : definition.targets.filter(
          (type) => innerName === '_id' || innerName === '_lastUpdated' || searchParamsFor(type).has(innerName),
        );
    if (candidates.length === 0) {
      return reject(rawName, `no target of ${name} has a search parameter '${innerName}'`);
    }
    const chains: SearchFilter[] = [];
    for (const targetType of candidates) {
      const inner = parseFilter(targetType, rest, value, reject);
      if (inner) {
        chains.push({ name, values: [], chain: { targetType, filter: inner } });
      }
    }
    return chains.length === 1 ? chains[0] : chains.length ? { name, values: [], anyOf: chains } : undefined;
  }
  if (modifier && definition.type === 'reference' && fhirDefinitions().resourceTypes.has(modifier)) {
    return { name, modifier, values: splitValues(value) };
  }
  if (modifier && !MODIFIERS_BY_TYPE[definition.type]?.includes(modifier)) {
    return reject(rawName, `modifier :${modifier} is not supported for ${definition.type} parameters`);
  }
  if (modifier === 'identifier') {
    return reject(rawName, 'modifier :identifier is not supported');
  }
  return { name, modifier, values: splitValues(value) };
}

/** `_has:Observation:patient:code=1234-5` — resources referenced by matching Observations. */
function parseHas(resourceType: string, rawName: string, value: string, reject: Reject): SearchFilter | undefined {
  const [, sourceType = '', referenceParam = '', ...rest] = rawName.split(':');
  const innerName = rest.join(':');
  if (!fhirDefinitions().resourceTypes.has(sourceType) || !innerName) {
    return reject(rawName, 'expected _has:Type:reference-parameter:parameter');
  }
  const reference = searchParamsFor(sourceType).get(referenceParam);
  if (reference?.type !== 'reference') {
    return reject(rawName, `${sourceType} has no reference parameter ${referenceParam}`);
  }
  if (innerName.startsWith('_has:')) {
    return reject(rawName, 'nested _has is not supported');
  }
  const inner = parseFilter(sourceType, innerName, value, reject);
  void resourceType;
  return inner && { name: '_has', values: [], has: { sourceType, referenceParam, filter: inner } };
}

function applyResultParam(request: SearchRequest, rawName: string, value: string, options: ParseOptions): void {
  const [name, modifier] = splitOnce(rawName, ':');
  switch (name) {
    case '_count': {
      const count = Number(value);
      if (!Number.isInteger(count) || count < 0) {
        badRequest(`_count must be a whole number, not '${value}'`);
      }
      request.count = Math.min(count, options.maxCount);
      return;
    }
    case '_sort':
      request.sort.push(...parseSort(request.resourceType, value));
      return;
    case '_include':
    case '_revinclude':
      request[name === '_include' ? 'include' : 'revinclude'].push(parseInclude(value, modifier === 'iterate'));
      return;
    case '_summary':
      if (!['true', 'text', 'data', 'count', 'false'].includes(value)) {
        badRequest(`_summary must be one of true, text, data, count, false`);
      }
      request.summary = value as SearchRequest['summary'];
      return;
    case '_elements':
      request.elements = splitValues(value)
        .map((v) => v.trim())
        .filter(Boolean);
      return;
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value)) {
        badRequest('_total must be one of none, estimate, accurate');
      }
      request.total = value as SearchRequest['total'];
      return;
    case '_cursor':
      request.cursor = value;
      return;
    default:
      return; // _format, _pretty: handled by HTTP; _contained: default behaviour only.
  }
}

function parseSort(resourceType: string, value: string): SortRule[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const descending = part.startsWith('-');
      const name = descending ? part.slice(1) : part;
      if (!SPECIAL_PARAMS.has(name) && !searchParamsFor(resourceType).has(name)) {
        badRequest(`Cannot sort ${resourceType} by unknown parameter '${name}'`);
      }
      return { name, descending };
    });
}

function parseInclude(value: string, iterate: boolean): IncludeRule {
  const [sourceType = '', param = '', targetType] = value.split(':');
  if (!fhirDefinitions().resourceTypes.has(sourceType)) {
    badRequest(`_include/_revinclude '${value}': unknown resource type '${sourceType}'`);
  }
  if (param !== '*' && searchParamsFor(sourceType).get(param)?.type !== 'reference') {
    badRequest(`_include/_revinclude '${value}': ${sourceType} has no reference parameter '${param}'`);
  }
  if (targetType && !fhirDefinitions().resourceTypes.has(targetType)) {
    badRequest(`_include/_revinclude '${value}': unknown target type '${targetType}'`);
  }
  return { sourceType, param, targetType, iterate };
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}

/** Splits on commas not escaped as `\,`; the values keep their escapes (`\,`, `\|`, `\$`, `\\`). */
export function splitValues(value: string): string[] {
  return splitUnescaped(value, ',');
}

/** Splits at each `separator` not escaped with a backslash; the parts keep their escapes. */
export function splitUnescaped(value: string, separator: ',' | '$'): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length && ',$|\\'.includes(value[i + 1] ?? '')) {
      current += ch + value[i + 1];
      i++;
    } else if (ch === separator) {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values;
}

/** Splits a token/quantity value on unescaped `|`, then unescapes each part. */
export function splitPipes(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      current += value[i + 1];
      i++;
    } else if (ch === '|') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

export function unescapeValue(value: string): string {
  return value.replace(/\\([,$|\\])/g, '$1');
}
