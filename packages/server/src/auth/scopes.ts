import type { Actor } from '../access/actor.ts';
import { fhirDefinitions } from '../fhir/definitions.ts';
import { forbidden } from '../fhir/outcome.ts';

/** SMART v2 permissions: create, read, update, delete, search. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeContext = 'patient' | 'user' | 'system';

export interface ParsedScope {
  context: ScopeContext;
  /** A resource type, or `*`. */
  resourceType: string;
  permissions: ReadonlySet<Interaction>;
}

const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.(\*|read|write|c?r?u?d?s?)$/;

const INTERACTION_NAMES: Record<Interaction, string> = {
  c: 'create',
  r: 'read',
  u: 'update',
  d: 'delete',
  s: 'search',
};

/**
 * Parses a SMART App Launch scope: v2 (`patient/Observation.rs`, `user/*.cruds`) or v1
 * (`.read` = rs, `.write` = cud, `.*` = cruds). Undefined for anything else, including v2
 * granular scopes with a query (`patient/Observation.rs?category=…`), which this server does not
 * grant: refusing them is safer than granting the unfiltered type.
 */
export function parseScope(scope: string): ParsedScope | undefined {
  const match = SCOPE.exec(scope);
  if (!match) {
    return undefined;
  }
  const [, context, resourceType, perms] = match as unknown as [string, ScopeContext, string, string];
  let permissions: Interaction[];
  if (perms === '*') {
    permissions = ['c', 'r', 'u', 'd', 's'];
  } else if (perms === 'read') {
    permissions = ['r', 's'];
  } else if (perms === 'write') {
    permissions = ['c', 'u', 'd'];
  } else {
    permissions = [...perms] as Interaction[];
  }
  if (!permissions.length) {
    return undefined;
  }
  return { context, resourceType, permissions: new Set(permissions) };
}

export function isSmartScope(scope: string): boolean {
  return parseScope(scope) !== undefined;
}

/** Which scope contexts count for which kind of actor. */
export function contextsFor(kind: Actor['kind']): readonly ScopeContext[] {
  switch (kind) {
    case 'system':
      return ['system'];
    case 'staff':
      return ['user'];
    case 'patient':
    case 'related-person':
      return ['patient', 'user'];
  }
}

/** Whether `scopes` allow `interaction` on `resourceType` (`*` asks for every type) for an actor of `kind`. */
export function scopesAllow(
  scopes: readonly string[],
  kind: Actor['kind'],
  resourceType: string,
  interaction: Interaction,
): boolean {
  const contexts = contextsFor(kind);
  return scopes.some((raw) => {
    const scope = parseScope(raw);
    return (
      scope !== undefined &&
      contexts.includes(scope.context) &&
      (scope.resourceType === '*' || scope.resourceType === resourceType) &&
      scope.permissions.has(interaction)
    );
  });
}

/** Kept here for the FHIR operations that import it with the scope checks. */
export { forbidden };

/**
 * Refuses (403 OperationOutcome, code `forbidden`) a request the actor's token scopes do not
 * cover. Whose data it is remains the access policy's question; this is only what the token allows.
 */
export function requireScope(actor: Actor, resourceType: string, interaction: Interaction): void {
  if (!scopesAllow(actor.scopes, actor.kind, resourceType, interaction)) {
    const what = resourceType === '*' ? 'every resource type' : resourceType;
    throw forbidden(
      `The access token's scopes (${actor.scopes.join(' ') || 'none'}) do not allow ${INTERACTION_NAMES[interaction]} on ${what}`,
    );
  }
}

export interface ScopeRequirement {
  resourceType: string;
  interaction: Interaction;
}

const TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const EVERYTHING: ScopeRequirement[] = (['c', 'r', 'u', 'd', 's'] as const).map((interaction) => ({
  resourceType: '*',
  interaction,
}));

/**
 * What a FHIR request needs from the token: each resource type it touches and how. `path` is
 * relative to the FHIR base (`Patient/1/_history`), `query` its parameters, `body` the parsed body
 * (a batch or transaction Bundle is checked entry by entry). Anything not recognised needs every
 * permission on every type, so an unusual request never slips through.
 */
export function scopeRequirements(
  method: string,
  path: string,
  query: readonly [string, string][],
  body?: unknown,
): ScopeRequirement[] {
  const segments = path.split('/').filter(Boolean);
  const m = method.toUpperCase();
  const [first, second, third, fourth] = segments;
  const need = (resourceType: string, ...interactions: Interaction[]): ScopeRequirement[] =>
    interactions.map((interaction) => ({ resourceType, interaction }));

  if (segments.length === 0) {
    if (m === 'POST') {
      return bundleRequirements(body);
    }
    return need('*', 's');
  }
  if (segments.length === 1 && first === 'metadata' && m === 'GET') {
    return [];
  }
  if (segments.length === 1 && first === '_history' && m === 'GET') {
    return need('*', 'r', 's');
  }
  if (!TYPE.test(first!)) {
    // A system-level operation (`$export`, `$export-status/{id}`, …) needs what it declared.
    const system = first!.startsWith('$') ? OPERATION_SCOPES.get(`${m} system/${first}`) : undefined;
    return system ? resolveRule(system, query, body) : EVERYTHING;
  }
  const type = first!;
  if (segments.length === 1) {
    switch (m) {
      case 'GET':
      case 'HEAD':
        return [...need(type, 's'), ...includeRequirements(type, query)];
      case 'POST':
        return need(type, 'c');
      case 'PUT':
        return need(type, 'u', 's');
      case 'DELETE':
        return need(type, 'd', 's');
      default:
        return EVERYTHING;
    }
  }
  if (segments.length === 2 && second === '_search' && (m === 'POST' || m === 'GET')) {
    return [...need(type, 's'), ...includeRequirements(type, query)];
  }
  if (segments.length === 2 && second === '_history' && m === 'GET') {
    return need(type, 's');
  }
  if (segments.length === 2 && !second!.startsWith('$') && !second!.startsWith('_')) {
    switch (m) {
      case 'GET':
      case 'HEAD':
        return need(type, 'r');
      case 'PUT':
      case 'PATCH':
        return need(type, 'u');
      case 'DELETE':
        return need(type, 'd');
      default:
        return EVERYTHING;
    }
  }
  if (m === 'GET' && third === '_history' && (segments.length === 3 || (segments.length === 4 && fourth))) {
    return need(type, 'r');
  }
  const operation = segments.length === 2 ? second : segments.length === 3 ? third : undefined;
  if (operation?.startsWith('$')) {
    const level = segments.length === 2 ? 'type' : 'instance';
    const known = OPERATION_SCOPES.get(`${m} ${type}/${level}/${operation}`);
    if (known) {
      return resolveRule(known, query, body, type);
    }
  }
  return EVERYTHING;
}

/**
 * What an operation needs from the token: a fixed list, or one worked out from the request (the
 * query pairs, and the body as sent: not yet validated) when it depends on the input, as
 * `Patient/{id}/$everything?_type=…` does. An empty list leaves the check to the operation itself.
 */
export type ScopeRule =
  | readonly ScopeRequirement[]
  | ((request: { query: readonly [string, string][]; body: unknown; resourceType?: string }) => ScopeRequirement[]);

/**
 * What each FHIR operation needs, by `METHOD Type/level/$name`; unknown operations need everything.
 * Filled by the operations registry (src/fhir/operations/registry.ts) from each operation's definition.
 */
const OPERATION_SCOPES = new Map<string, ScopeRule>();

/** `resourceType`: the type in the URL of a type or instance level operation. */
function resolveRule(
  rule: ScopeRule,
  query: readonly [string, string][],
  body: unknown,
  resourceType?: string,
): ScopeRequirement[] {
  if (typeof rule !== 'function') {
    return rule.map((r) => ({ ...r }));
  }
  return rule({ query, body, ...(resourceType ? { resourceType } : {}) });
}

/** Declares what an operation needs from the token, e.g. ('POST', 'Appointment', 'type', '$book', [Appointment c]). */
export function defineOperationScopes(
  method: string,
  resourceType: string,
  level: 'type' | 'instance',
  operation: string,
  requirements: ScopeRule,
): void {
  OPERATION_SCOPES.set(`${method.toUpperCase()} ${resourceType}/${level}/${operation}`, requirements);
}

/**
 * Declares what a system-level operation needs, for every path under it (`$export-status/{id}`
 * too). An empty list leaves the check to the operation itself.
 */
export function defineSystemOperationScopes(method: string, operation: string, requirements: ScopeRule): void {
  OPERATION_SCOPES.set(`${method.toUpperCase()} system/${operation}`, requirements);
}

/** Search on each of `types` (`*` for a name that is not a type), or on every type when none is named. */
export function searchOfTypes(types: readonly string[]): ScopeRequirement[] {
  const named = types.map((t) => t.trim()).filter(Boolean);
  return named.length
    ? named.map((t) => ({ resourceType: TYPE.test(t) ? t : '*', interaction: 's' as const }))
    : [{ resourceType: '*', interaction: 's' }];
}

/** `_include` needs read on the included types; `_revinclude` search on the referring type. */
function includeRequirements(type: string, query: readonly [string, string][]): ScopeRequirement[] {
  const out: ScopeRequirement[] = [];
  for (const [key, value] of query) {
    const base = key.split(':')[0];
    if (base !== '_include' && base !== '_revinclude' && base !== '_has') {
      continue;
    }
    if (base === '_has') {
      // _has:Observation:patient:code=… filters by another type's data: search on it.
      const hasType = key.split(':')[1];
      out.push({ resourceType: hasType && TYPE.test(hasType) ? hasType : '*', interaction: 's' });
      continue;
    }
    if (value === '*') {
      out.push({ resourceType: '*', interaction: base === '_include' ? 'r' : 's' });
      continue;
    }
    const [source, param, target] = value.split(':');
    if (base === '_revinclude') {
      out.push({ resourceType: source && TYPE.test(source) ? source : '*', interaction: 's' });
      continue;
    }
    if (target) {
      out.push({ resourceType: TYPE.test(target) ? target : '*', interaction: 'r' });
      continue;
    }
    const definition = fhirDefinitions()
      .searchParams.get(source ?? type)
      ?.get(param ?? '');
    const targets = definition?.targets.length ? definition.targets : ['*'];
    out.push(...targets.map((t) => ({ resourceType: t, interaction: 'r' as const })));
  }
  return out;
}

interface BundleLike {
  resourceType?: unknown;
  type?: unknown;
  entry?: unknown;
}

function bundleRequirements(body: unknown): ScopeRequirement[] {
  const bundle = body as BundleLike | undefined;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    // Not a Bundle: the bundle service rejects it; needs nothing it could abuse.
    return [];
  }
  if (bundle.entry === undefined) {
    return [];
  }
  if (!Array.isArray(bundle.entry)) {
    return EVERYTHING;
  }
  const out: ScopeRequirement[] = [];
  for (const entry of bundle.entry as { request?: { method?: unknown; url?: unknown } }[]) {
    const method = entry?.request?.method;
    const url = entry?.request?.url;
    if (typeof method !== 'string' || typeof url !== 'string') {
      return EVERYTHING;
    }
    const { path, query } = splitEntryUrl(url);
    if (path === '' && method.toUpperCase() === 'POST') {
      return EVERYTHING;
    }
    out.push(...scopeRequirements(method, path, query));
  }
  return out;
}

/** `Patient/1?x=y`, `/Patient/1` or an absolute URL on any FHIR base → path relative to the base and query. */
export function splitEntryUrl(url: string): { path: string; query: [string, string][] } {
  let rest = url;
  if (/^https?:\/\//i.test(rest)) {
    const parsed = URL.parse(rest);
    rest = parsed ? `${parsed.pathname.replace(/^.*?\/fhir\/R4\/?/, '')}${parsed.search}` : rest;
  }
  const q = rest.indexOf('?');
  const path = (q === -1 ? rest : rest.slice(0, q)).replace(/^\//, '');
  const query = q === -1 ? [] : [...new URLSearchParams(rest.slice(q + 1))];
  return { path, query };
}

/** Deduplicated requirements, then each checked; throws 403 on the first the scopes lack. */
export function requireScopes(actor: Actor, requirements: readonly ScopeRequirement[]): void {
  const seen = new Set<string>();
  for (const { resourceType, interaction } of requirements) {
    const key = `${resourceType}.${interaction}`;
    if (!seen.has(key)) {
      seen.add(key);
      requireScope(actor, resourceType, interaction);
    }
  }
}

/** Whether `scope` is within one of the `allowed` patterns (same context, type, and no extra permission). */
export function scopeCoveredBy(scope: string, allowed: readonly string[]): boolean {
  const wanted = parseScope(scope);
  if (!wanted) {
    return false;
  }
  return allowed.some((pattern) => {
    const limit = parseScope(pattern);
    return (
      limit !== undefined &&
      limit.context === wanted.context &&
      (limit.resourceType === '*' || limit.resourceType === wanted.resourceType) &&
      [...wanted.permissions].every((p) => limit.permissions.has(p))
    );
  });
}

/** The SMART scopes a signed-in person of this kind may hold (the rest of a request is refused). */
export function grantableScopes(kind: Actor['kind'] | undefined, requested: readonly string[]): string[] {
  if (kind === undefined || kind === 'system') {
    return [];
  }
  const contexts = contextsFor(kind);
  return requested.filter((scope) => {
    const parsed = parseScope(scope);
    return parsed !== undefined && contexts.includes(parsed.context);
  });
}

const PERMISSION_ORDER: readonly Interaction[] = ['c', 'r', 'u', 'd', 's'];

/**
 * What of a requested SMART scope the `allowed` patterns permit (SMART v2: a server may grant less
 * than asked). `system/*.cruds` against `system/*.rs` is `system/*.rs`; against
 * `system/Patient.rs system/Observation.cruds` it is both of those. A scope that is wholly
 * permitted is kept as written (v1 `.read` stays `.read`); anything else is written in v2 form.
 * Empty when nothing of it is permitted.
 */
export function permittedPart(scope: string, allowed: readonly string[]): string[] {
  const wanted = parseScope(scope);
  if (!wanted) {
    return [];
  }
  if (scopeCoveredBy(scope, allowed)) {
    return [scope];
  }
  const out = new Set<string>();
  for (const pattern of allowed) {
    const limit = parseScope(pattern);
    if (!limit || limit.context !== wanted.context) {
      continue;
    }
    const type =
      wanted.resourceType === '*'
        ? limit.resourceType
        : limit.resourceType === '*' || limit.resourceType === wanted.resourceType
          ? wanted.resourceType
          : undefined;
    const permissions = PERMISSION_ORDER.filter((p) => wanted.permissions.has(p) && limit.permissions.has(p));
    if (type && permissions.length) {
      out.add(`${wanted.context}/${type}.${permissions.join('')}`);
    }
  }
  return [...out];
}

/** The permitted part of each requested SMART scope, deduplicated (see `permittedPart`). */
export function permittedScopes(requested: readonly string[], allowed: readonly string[]): string[] {
  return [...new Set(requested.flatMap((scope) => permittedPart(scope, allowed)))];
}
