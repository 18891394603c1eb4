import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, PASSWORD, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Issue 15's "done when" for SMART apps: a third-party app, registered through the admin API of a
 * fresh instance, runs a standalone launch in Chromium with the SMART JS client (`fhirclient`, its
 * published browser bundle, no shims) from another origin, reads the patient, refreshes its token,
 * and the patient then stops it on the Connected apps page — after which its token and its
 * refresh token are refused.
 */
const require = createRequire(import.meta.url);
const FHIR_CLIENT_JS = path.join(
  path.dirname(require.resolve('fhirclient/package.json')),
  'build',
  'fhir-client.min.js',
);
const CLIENT_ID = 'growth-charts';
const SCOPE = 'openid fhirUser launch/patient offline_access patient/*.rs';

let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let app: http.Server;
let appOrigin: string;

/** The app: two static pages on an origin of its own, using fhirclient as its documentation shows. */
function appPages(fhirBase: string): Record<string, string> {
  return {
    '/launch.html': `<!DOCTYPE html><html lang="en"><head><title>Growth charts</title>
<script src="/fhir-client.js"></script></head><body><p>Connecting…</p>
<script>FHIR.oauth2.authorize(${JSON.stringify({ clientId: CLIENT_ID, scope: SCOPE, redirectUri: '/app.html', iss: fhirBase })})
  .catch((error) => { document.body.textContent = 'Launch failed: ' + error; });</script>
</body></html>`,
    '/app.html': `<!DOCTYPE html><html lang="en"><head><title>Growth charts</title>
<script src="/fhir-client.js"></script></head><body><h1>Growth charts</h1><p id="out">Loading…</p>
<script>
FHIR.oauth2.ready().then(async (client) => {
  window.smartClient = client;
  const patient = await client.patient.read();
  const name = (patient.name || [])[0] || {};
  document.getElementById('out').textContent = 'Patient: ' + [].concat(name.given || []).join(' ') + ' ' + (name.family || '');
  window.smartState = { patient: client.patient.id, read: patient.id, scope: client.state.tokenResponse.scope };
}).catch((error) => { window.smartError = String(error && error.message || error); });
</script></body></html>`,
  };
}

async function startApp(fhirBase: string): Promise<void> {
  const pages = appPages(fhirBase);
  const bundle = fs.readFileSync(FHIR_CLIENT_JS);
  app = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://app').pathname;
    if (pathname === '/fhir-client.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (pages[pathname]) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pages[pathname]);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  // Another port: another origin than CareWeave's, so every call the app makes is cross-origin (CORS).
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
}

/** An administrator's access token, by the web app's own client (authorization code + PKCE) in a browser. */
async function adminToken(): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${server.baseUrl}/callback`;
  const authorize = new URL(`${server.baseUrl}/auth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: 'careweave-web',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'admin',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // Only the first request of a redirect chain can be routed: wait for the redirect URI instead.
    // The web app loaded there does not know this state, so it leaves the code alone.
    await page.goto(authorize.href);
    await page.locator('#username').fill('demo.admin');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((url) => url.href.startsWith(`${redirectUri}?`), { timeout: 30_000 });
    const code = new URL(page.url()).searchParams.get('code');
    expect(code, `no code; the browser is at ${page.url()}`).toBeTruthy();
    const response = await fetch(`${server.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: redirectUri,
        client_id: 'careweave-web',
        code_verifier: verifier,
      }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(20), launchBrowser()]);
  await startApp(`${server.baseUrl}/fhir/R4`);
}, 900_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
  await new Promise((resolve) => app?.close(resolve));
});

type SmartWindow = {
  smartState?: { patient: string; read: string; scope: string };
  smartError?: string;
  smartClient: {
    refresh(): Promise<unknown>;
    request(url: string): Promise<{ id?: string }>;
    state: { tokenResponse: { access_token: string; refresh_token?: string } };
    patient: { id: string };
  };
};

describe('a third-party SMART app (fhirclient) against a fresh instance', () => {
  let appPage: Page;

  it('is registered through the admin API', async () => {
    const response = await fetch(`${server.baseUrl}/api/admin/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        clientId: CLIENT_ID,
        name: 'Growth charts',
        redirectUris: [`${appOrigin}/app.html`],
        scopes: 'patient/*.rs',
      }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
  });

  it('runs a standalone launch: sign-in, the consent screen, then the patient’s record', async () => {
    ({ page: appPage } = await newPage(browser));
    await appPage.goto(`${appOrigin}/launch.html`);
    await appPage
      .locator('#username')
      .waitFor()
      .catch(async (error: unknown) => {
        throw new Error(`no login form at ${appPage.url()}:\n${(await appPage.content()).slice(0, 2000)}`, {
          cause: error,
        });
      });
    await appPage.locator('#username').fill('demo.patient');
    await appPage.locator('#password').fill(PASSWORD);
    await appPage.locator('form button[type=submit]').click();
    await appPage.getByRole('heading', { name: 'Allow Growth charts to use your health record?' }).waitFor();
    await appPage.getByText(/Read and search everything in your health record/).waitFor();
    await expectScreenOk(appPage, 'smart-app-consent');
    await appPage.getByRole('button', { name: 'Allow', exact: true }).click();
    await appPage.waitForURL(`${appOrigin}/app.html*`);
    await appPage.waitForFunction(() => {
      const w = window as unknown as SmartWindow;
      return w.smartState !== undefined || w.smartError !== undefined;
    });
    const state = await appPage.evaluate(() => {
      const w = window as unknown as SmartWindow;
      return { state: w.smartState, error: w.smartError };
    });
    expect(state.error).toBeUndefined();
    expect(state.state!.patient).toBe(server.demoPatientId);
    expect(state.state!.read).toBe(server.demoPatientId);
    expect(state.state!.scope.split(' ')).toEqual(expect.arrayContaining(['launch/patient', 'patient/*.rs']));
    expect(await appPage.locator('#out').textContent()).toMatch(/Patient: \S+/);
  });

  it('refreshes its token and keeps reading', async () => {
    const result = await appPage.evaluate(async () => {
      const client = (window as unknown as SmartWindow).smartClient;
      const before = client.state.tokenResponse.access_token;
      await client.refresh();
      const after = client.state.tokenResponse.access_token;
      const patient = await client.request(`Patient/${client.patient.id}`);
      return { changed: before !== after, id: patient.id };
    });
    expect(result).toEqual({ changed: true, id: server.demoPatientId });
  });

  it('is stopped by the patient on the Connected apps page, and can then neither read nor refresh', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.patient');
    await page.goto(`${server.baseUrl}/connected-apps`);
    await page.getByRole('heading', { name: 'Growth charts' }).waitFor();
    await expectScreenOk(page, 'connected-apps');
    await page.getByRole('button', { name: 'Stop Growth charts' }).click();
    await page.getByText('Growth charts can no longer use your health record.').waitFor();
    await page.getByText('You have not allowed any apps to use your health record.').waitFor();
    await expectScreenOk(page, 'connected-apps-stopped');

    const after = await appPage.evaluate(async () => {
      const client = (window as unknown as SmartWindow).smartClient;
      const outcome = async (work: () => Promise<unknown>) =>
        // fhirclient's refresh() throws at once (not a rejection) once its refresh token is gone.
        Promise.resolve()
          .then(work)
          .then(
            () => 'worked',
            (error: unknown) => String((error as { status?: number }).status ?? (error as Error).message),
          );
      return {
        read: await outcome(() => client.request(`Patient/${client.patient.id}`)),
        refresh: await outcome(() => client.refresh()),
      };
    });
    expect(after.read).not.toBe('worked');
    expect(after.refresh).not.toBe('worked');
  });
});
