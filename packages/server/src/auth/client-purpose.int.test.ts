import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentials, startAuthTestServer, type AuthTestServer } from './testing/server.ts';
import { mintToken } from './testing/tokens.ts';

/**
 * A system client's purpose (docs/ACCESS.md, *Two kinds of opt-out*): registered through the admin
 * API (and `careweave client create --purpose`), checked, carried into its tokens and onto the actor.
 */
describe('system clients registered for a purpose', () => {
  let s: AuthTestServer;
  let bootstrap: string;

  const call = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => {
    const response = await fetch(`${s.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const register = (body: Record<string, unknown>) =>
    call('POST', '/api/admin/clients', bootstrap, { scopes: 'system/*.rs', secret: true, ...body });
  const whoami = async (token: string) => (await call('GET', '/api/test/whoami', token)).body;

  beforeAll(async () => {
    s = await startAuthTestServer();
    bootstrap = (await clientCredentials(s.baseUrl, 'system/*.rs')).body.access_token;
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each(['research', 'planning'])(
    'a %s client gets tokens that say so, and acts for that purpose',
    async (purpose) => {
      const created = await register({ clientId: `${purpose}-client`, purpose });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.client).toMatchObject({ clientId: `${purpose}-client`, purpose });
      const token = await clientCredentials(s.baseUrl, 'system/Patient.rs', {
        id: `${purpose}-client`,
        secret: created.body.clientSecret,
      });
      expect(token.status, JSON.stringify(token.body)).toBe(200);
      expect(decodeJwt(token.body.access_token)).toMatchObject({ actor: 'system', purpose });
      expect((await whoami(token.body.access_token)).actor).toEqual({
        kind: 'system',
        clientId: `${purpose}-client`,
        scopes: ['system/Patient.rs'],
        purpose,
      });
    },
  );

  it('a client registered without a purpose is for direct care: no claim, no purpose on the actor', async () => {
    const created = await register({ clientId: 'ward-feed' });
    expect(created.body.client.purpose).toBe('direct-care');
    const token = await clientCredentials(s.baseUrl, 'system/Patient.rs', {
      id: 'ward-feed',
      secret: created.body.clientSecret,
    });
    expect(decodeJwt(token.body.access_token).purpose).toBeUndefined();
    expect((await whoami(token.body.access_token)).actor).toEqual({
      kind: 'system',
      clientId: 'ward-feed',
      scopes: ['system/Patient.rs'],
    });
    const list = await call('GET', '/api/admin/clients', bootstrap);
    const purposes = Object.fromEntries(
      list.body.map((c: { clientId: string; purpose: string }) => [c.clientId, c.purpose]),
    );
    expect(purposes).toMatchObject({ 'ward-feed': 'direct-care', 'research-client': 'research' });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an unknown purpose',
      { purpose: 'marketing' },
      /Unknown purpose 'marketing': give one of direct-care, planning, research/,
    ],
    ['a purpose that is not text', { purpose: ['research'] }, /Unknown purpose/],
    ['write scopes for research', { purpose: 'research', scopes: 'system/*.cruds' }, /A research client only reads/],
    [
      'write scopes for planning',
      { purpose: 'planning', scopes: 'system/Patient.rs system/Observation.c' },
      /planning client only reads: 'system\/Observation.c'/,
    ],
  ])('refuses %s, clearly', async (_name, body, message) => {
    const refused = await register({ clientId: 'refused-client', ...body });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(message);
  });

  it('refuses a token that names a purpose the server does not know', async () => {
    await register({ clientId: 'odd-client' });
    const token = await mintToken(s.platform, {
      sub: 'odd-client',
      client_id: 'odd-client',
      scope: 'system/Patient.rs',
      actor: 'system',
      purpose: 'marketing',
    });
    const response = await fetch(`${s.fhirBase}/Patient`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/unknown purpose/);
  });
});
