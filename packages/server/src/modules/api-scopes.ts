/**
 * SMART scopes bound a module's `/api/…` routes as they bound `/fhir/R4` (docs/MODULES.md, H-149).
 *
 * A token narrowed to some resource types (a SMART app granted `user/Observation.rs`, say) must not
 * reach other data through a module's API, which reads the record as the person and so would see
 * whatever the person may see. Each module declares, once, what its API reads and writes
 * (`ModuleParts.apiScopes`); a route may declare its own (`config: { scopes: [...] }`). The guard is
 * registered around the module's routes by the installer, so no handler can forget it, and a module
 * that adds an `/api` route without a declaration fails at start-up.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { AuditLog } from '../access/audit.ts';
import { requireScopes, type Interaction, type ScopeRequirement } from '../auth/scopes.ts';

/** `Type.letters`, as in a SMART v2 scope without its context: `Task.rs`, `CarePlan.cu`, `*.s`. */
export type ScopeNeed = `${string}.${string}`;

/** What a module's API needs from the token: `read` for GET and HEAD, `write` for every other method. */
export interface ApiScopes {
  read: readonly ScopeNeed[];
  write: readonly ScopeNeed[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's own needs, instead of its module's `apiScopes` for the method. */
    scopes?: readonly ScopeNeed[];
  }
}

/** A route a module added under `/api/` (for the route table in tests and docs). */
export interface ApiRoute {
  method: string;
  url: string;
}

const NEED = /^(\*|[A-Z][A-Za-z]{1,63})\.([cruds]+)$/;

/** `['Task.rs']` → Task read and Task search; throws on anything malformed (a wiring mistake). */
export function parseScopeNeeds(needs: readonly string[]): ScopeRequirement[] {
  return needs.flatMap((need) => {
    const match = NEED.exec(need);
    if (!match) {
      throw new Error(`'${need}' is not a scope need (Type.letters, e.g. 'Task.rs')`);
    }
    const [, resourceType, letters] = match as unknown as [string, string, string];
    return [...letters].map((interaction) => ({ resourceType, interaction: interaction as Interaction }));
  });
}

/**
 * Registers `routes` inside an encapsulated scope whose every `/api/` route requires the token's
 * scopes to cover the module's declared needs (or the route's own). Webhooks (`/webhooks/…`) are
 * signed by their provider instead and are not checked here.
 */
export async function registerScopedRoutes(
  app: FastifyInstance,
  moduleName: string,
  declared: ApiScopes | undefined,
  routes: (app: FastifyInstance) => void | Promise<void>,
  audit: Pick<AuditLog, 'record'>,
): Promise<ApiRoute[]> {
  const added: ApiRoute[] = [];
  const moduleNeeds = declared && { read: parseScopeNeeds(declared.read), write: parseScopeNeeds(declared.write) };
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route: RouteOptions) => {
      if (isApiRoute(route.url) && !moduleNeeds && !route.config?.scopes) {
        throw new Error(
          `Module '${moduleName}' adds ${route.url} without declaring the scopes it needs (apiScopes or config.scopes)`,
        );
      }
      if (route.config?.scopes) {
        parseScopeNeeds(route.config.scopes);
      }
      if (isApiRoute(route.url)) {
        added.push(...[route.method].flat().map((method) => ({ method, url: route.url })));
      }
    });
    scope.addHook('preHandler', async (request: FastifyRequest) => {
      const url = request.routeOptions.url;
      if (!url || !isApiRoute(url) || !request.actor) {
        // No actor on an /api route is refused by the sign-in layer before this runs.
        return;
      }
      try {
        requireScopes(request.actor, needsOf(request, moduleNeeds));
      } catch (error) {
        // Every refusal is audited: the privacy officer sees a token probing beyond its grant.
        await audit.record(request.actor, {
          interaction: request.method === 'GET' || request.method === 'HEAD' ? 'search' : 'update',
          resources: [],
          patients: [],
          decision: 'deny',
          query: `${request.method} ${request.url}`.slice(0, 2000),
        });
        throw error;
      }
    });
    await routes(scope);
  });
  return added;
}

function needsOf(
  request: FastifyRequest,
  moduleNeeds: { read: ScopeRequirement[]; write: ScopeRequirement[] } | undefined,
) {
  const own = request.routeOptions.config.scopes;
  if (own) {
    return parseScopeNeeds(own);
  }
  if (!moduleNeeds) {
    // onRoute refuses such a route at start-up; fail closed all the same.
    return parseScopeNeeds(['*.cruds']);
  }
  return request.method === 'GET' || request.method === 'HEAD' ? moduleNeeds.read : moduleNeeds.write;
}

function isApiRoute(url: string): boolean {
  return url.startsWith('/api/');
}
