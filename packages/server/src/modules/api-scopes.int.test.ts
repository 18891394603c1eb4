/**
 * A token's SMART scopes bound every module's `/api/…` route (H-149): an attacker holding a valid
 * token narrowed to one resource type (a SMART app granted `Immunization.rs`) must not reach a
 * telehealth dashboard, a risk list or an inbox through a module's API. The table is every route
 * the installed modules added, so a new route is covered the day it is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSystemToken } from '../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';

let t: TestApp;
let narrow: string;
beforeAll(async () => {
  t = await createTestApp();
  narrow = await testSystemToken(t.platform, 'system/Immunization.rs');
}, 120_000);
afterAll(async () => t?.close());

function moduleRoutes() {
  return t.app.modules.list.flatMap(({ module, apiRoutes }) =>
    apiRoutes
      .filter((route) => route.method !== 'HEAD')
      .map((route) => ({ module: module.name, method: route.method, url: route.url.replace(/:(\w+)/g, 'unknown-$1') })),
  );
}

async function call(token: string, method: string, url: string) {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { payload: '{}' }),
  });
  return { status: response.statusCode, body: response.body };
}

describe('module API routes and SMART scopes', () => {
  it('every care module with an API is in the table', () => {
    const modules = new Set(moduleRoutes().map((route) => route.module));
    for (const name of ['telehealth', 'coordination', 'care-profile', 'population-health', 'notifications']) {
      expect(modules, name).toContain(name);
    }
  });

  it('refuses a token narrowed to another resource type on every module API route, and audits it', async () => {
    const routes = moduleRoutes();
    for (const { method, url } of routes) {
      const response = await call(narrow, method, url);
      expect(response.status, `${method} ${url}`).toBe(403);
      const outcome = JSON.parse(response.body) as { resourceType: string; issue: { diagnostics?: string }[] };
      expect(outcome.resourceType, `${method} ${url}`).toBe('OperationOutcome');
      expect(outcome.issue[0]?.diagnostics, `${method} ${url}`).toMatch(/access token's scopes/);
    }
    const [audited] = await t.platform.db.query<{ n: string }>(
      `select count(*) as n from audit_log where decision = 'deny' and query like any($1::text[])`,
      [routes.map((route) => `${route.method} ${route.url}%`)],
    );
    expect(Number(audited!.n)).toBeGreaterThanOrEqual(routes.length);
  });

  it('lets a token with the declared scopes past the guard (the service then decides)', async () => {
    const full = await testSystemToken(t.platform, 'system/*.cruds');
    for (const { method, url } of moduleRoutes()) {
      const response = await call(full, method, url);
      expect(response.body, `${method} ${url}`).not.toMatch(/access token's scopes/);
    }
  });

  it("a route's own scopes replace its module's: telehealth protocols need PlanDefinition, not Patient", async () => {
    const protocols = await testSystemToken(t.platform, 'system/PlanDefinition.rs');
    const allowed = await call(protocols, 'GET', '/api/telehealth/protocols');
    expect(allowed.body).not.toMatch(/access token's scopes/);
    const dashboard = await call(protocols, 'GET', '/api/telehealth/dashboard');
    expect(dashboard.status).toBe(403);
    const publish = await call(protocols, 'POST', '/api/telehealth/protocols');
    expect(publish.status).toBe(403);
  });
});
