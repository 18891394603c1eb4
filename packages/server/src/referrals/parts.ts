import type { FastifyInstance } from 'fastify';
import type { ModuleParts } from '../modules/contract.ts';
import type { ApiScopes } from '../modules/api-scopes.ts';

/**
 * One module's parts from several capabilities' parts: routes, FHIR routes, seeds and start/stop run
 * in order; lists are concatenated. `apiScopes` are the union of the capabilities' (a capability whose
 * routes need other scopes declares them per route with `config.scopes`).
 */
export function mergeParts(...all: readonly ModuleParts[]): ModuleParts {
  const inOrder = <K extends keyof ModuleParts>(key: K): NonNullable<ModuleParts[K]>[] =>
    all.map((p) => p[key]).filter((v): v is NonNullable<ModuleParts[K]> => v !== undefined);
  const routes: ((app: FastifyInstance) => void | Promise<void>)[] = inOrder('routes');
  const fhir: ((fhir: FastifyInstance) => void)[] = inOrder('fhir');
  const scopes: ApiScopes[] = inOrder('apiScopes');
  const seeds = inOrder('seed');
  const starts = inOrder('start');
  const stops = inOrder('stop');
  return {
    provides: Object.assign({}, ...all.map((p) => p.provides ?? {})) as ModuleParts['provides'],
    ...(fhir.length ? { fhir: (app) => fhir.forEach((register) => register(app)) } : {}),
    ...(scopes.length
      ? {
          apiScopes: {
            read: [...new Set(scopes.flatMap((s) => s.read))],
            write: [...new Set(scopes.flatMap((s) => s.write))],
          },
        }
      : {}),
    ...(routes.length
      ? {
          routes: async (app) => {
            for (const register of routes) {
              await register(app);
            }
          },
        }
      : {}),
    jobs: all.flatMap((p) => p.jobs ?? []),
    reactions: all.flatMap((p) => p.reactions ?? []),
    writeChecks: all.flatMap((p) => p.writeChecks ?? []),
    writeEffects: all.flatMap((p) => p.writeEffects ?? []),
    hl7: Object.assign({}, ...all.map((p) => p.hl7 ?? {})) as ModuleParts['hl7'],
    ...(seeds.length
      ? {
          seed: async (demo) => {
            for (const seed of seeds) {
              await seed(demo);
            }
          },
        }
      : {}),
    ...(starts.length
      ? {
          start: async () => {
            for (const start of starts) {
              await start();
            }
          },
        }
      : {}),
    ...(stops.length
      ? {
          stop: async () => {
            for (const stop of [...stops].reverse()) {
              await stop();
            }
          },
        }
      : {}),
  };
}
