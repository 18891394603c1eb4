import http from 'node:http';
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/server-process.ts';
import { Browser, exchangeCode, pkce } from './testing/browser.ts';
import { NHS_NUMBER } from './testing/fixtures.ts';
import { startAuthTestServer, type AuthTestServer } from './testing/server.ts';

/**
 * NHS CIS2 and NHS login, played by a second oidc-provider on another port that signs in whoever
 * the test says, with the claims those services send.
 */
describe('federated sign-in (NHS CIS2, NHS login)', () => {
  let s: AuthTestServer;
  let upstream: Provider;
  let upstreamServer: http.Server;
  let nextAccount = '';
  const accounts = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    const ourPort = await freePort();
    const upstreamPort = await freePort();
    const issuer = `http://127.0.0.1:${upstreamPort}`;
    const callback = `http://127.0.0.1:${ourPort}/auth/federation/callback`;
    const client = (id: string) => ({
      client_id: id,
      client_secret: `${id}-secret`,
      redirect_uris: [callback],
      token_endpoint_auth_method: 'client_secret_post' as const,
      grant_types: ['authorization_code'],
      response_types: ['code' as const],
    });
    upstream = new Provider(issuer, {
      clients: [client('careweave-cis2'), client('careweave-nhs-login')],
      scopes: ['openid', 'profile', 'nationalrbacaccess', 'selectedrole'],
      claims: {
        openid: ['sub'],
        profile: ['name', 'given_name', 'family_name', 'nhs_number', 'identity_proofing_level'],
        nationalrbacaccess: ['nhsid_nrbac_roles', 'nhsid_useruid'],
        selectedrole: ['selected_roleid'],
      },
      conformIdTokenClaims: false,
      ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      features: { devInteractions: { enabled: false } },
      routes: { authorization: '/oauth/authorize' },
      cookies: { names: { session: 'up_session', interaction: 'up_interaction', resume: 'up_resume' } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) }),
    });
    const handler = upstream.callback();
    upstreamServer = http.createServer((req, res) => {
      if (!req.url?.startsWith('/interaction/')) {
        void handler(req, res);
        return;
      }
      void (async () => {
        const details = await upstream.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          await upstream.interactionFinished(req, res, { login: { accountId: nextAccount } });
          return;
        }
        const grant = new upstream.Grant({
          accountId: details.session!.accountId,
          clientId: String(details.params.client_id),
        });
        grant.addOIDCScope(String(details.params.scope));
        await upstream.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant.save() } },
          { mergeWithLastSubmission: true },
        );
      })();
    });
    await new Promise<void>((resolve) => upstreamServer.listen(upstreamPort, '127.0.0.1', resolve));
    s = await startAuthTestServer(
      {
        CAREWEAVE_CIS2_ISSUER: issuer,
        CAREWEAVE_CIS2_CLIENT_ID: 'careweave-cis2',
        CAREWEAVE_CIS2_CLIENT_SECRET: 'careweave-cis2-secret',
        CAREWEAVE_NHS_LOGIN_ISSUER: issuer,
        CAREWEAVE_NHS_LOGIN_CLIENT_ID: 'careweave-nhs-login',
        CAREWEAVE_NHS_LOGIN_CLIENT_SECRET: 'careweave-nhs-login-secret',
      },
      { port: ourPort },
    );
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((resolve) => upstreamServer?.close(resolve));
  });

  /** From our login page, through the upstream and back, to the web app's redirect. */
  async function federate(button: 'cis2' | 'nhs-login', account: string, scope: string) {
    nextAccount = account;
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const login = await browser.follow(
      `${s.baseUrl}/auth/authorize?${new URLSearchParams({
        client_id: 'careweave-web',
        response_type: 'code',
        redirect_uri: s.redirectUri,
        scope,
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString()}`,
    );
    expect(login.body).toContain(button === 'cis2' ? 'Sign in with NHS CIS2' : 'Sign in with NHS login');
    const href = new RegExp(`href="([^"]+)" data-provider="${button}"`).exec(login.body)![1]!;
    const end = await browser.follow(new URL(href, login.url).href, {}, s.redirectUri);
    const code = end.location?.startsWith(s.redirectUri) ? new URL(end.location).searchParams.get('code') : null;
    if (!code) {
      return { page: end };
    }
    const tokens = await exchangeCode(s.baseUrl, code, verifier, s.redirectUri);
    expect(tokens.status).toBe(200);
    return { tokens: tokens.body };
  }

  const whoami = async (token: string) =>
    (await (
      await fetch(`${s.baseUrl}/api/test/whoami`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as any;

  it('signs staff in through NHS CIS2 in the role they selected there', async () => {
    accounts.set('cis2-uid-1', {
      name: 'Gail Doctor',
      nhsid_useruid: '555000000001',
      selected_roleid: 'role-2',
      nhsid_nrbac_roles: [
        {
          person_roleid: 'role-1',
          org_code: 'P99001',
          role_code: 'S0010:G0020:R8000',
          role_name: 'Clinical Practitioner',
        },
        {
          person_roleid: 'role-2',
          org_code: 'C99002',
          role_code: 'S8000:G8000:R8003',
          role_name: 'Health Professional',
        },
      ],
    });
    const { tokens } = await federate('cis2', 'cis2-uid-1', 'openid fhirUser user/*.rs');
    const claims = decodeJwt(tokens.access_token);
    expect(claims.role_profile).toMatchObject({ organization: 'org-council', role: 'R8003' });
    expect(claims.sub).toBe(s.fixtures.users.gp);
    expect((await whoami(tokens.access_token)).actor).toMatchObject({
      kind: 'staff',
      practitionerId: 'prac-gp',
      organizationId: 'org-council',
      organizationType: 'social-care',
      roleCode: 'R8003',
    });
    // Selecting the other role next time gives that profile, with its PractitionerRole.
    accounts.set('cis2-uid-1', { ...accounts.get('cis2-uid-1'), selected_roleid: 'role-1' });
    const again = await federate('cis2', 'cis2-uid-1', 'openid user/*.rs');
    expect(decodeJwt(again.tokens.access_token).role_profile).toMatchObject({
      organization: 'org-practice',
      role: 'R8000',
      practitionerRole: 'prrole-gp',
    });
  });

  it('refuses CIS2 roles in organisations that are not here, and unknown staff', async () => {
    accounts.set('cis2-uid-2', {
      nhsid_useruid: '555000000001',
      selected_roleid: 'r',
      nhsid_nrbac_roles: [{ person_roleid: 'r', org_code: 'XYZ99', role_code: 'S0010:G0020:R8000' }],
    });
    const elsewhere = await federate('cis2', 'cis2-uid-2', 'openid user/*.rs');
    expect(elsewhere.page!.status).toBe(403);
    expect(elsewhere.page!.body).toContain('does not use CareWeave');
    accounts.set('cis2-uid-3', {
      nhsid_useruid: '555999999999',
      selected_roleid: 'r',
      nhsid_nrbac_roles: [{ person_roleid: 'r', org_code: 'P99001', role_code: 'S0010:G0020:R8000' }],
    });
    const stranger = await federate('cis2', 'cis2-uid-3', 'openid user/*.rs');
    expect(stranger.page!.status).toBe(403);
    expect(stranger.page!.body).toContain('not registered in CareWeave');
  });

  it('signs patients in through NHS login at P9, linked by NHS number', async () => {
    accounts.set('nhs-login-1', {
      nhs_number: NHS_NUMBER,
      identity_proofing_level: 'P9',
      given_name: 'Pat',
      family_name: 'Patient',
    });
    const { tokens } = await federate('nhs-login', 'nhs-login-1', 'openid fhirUser patient/*.rs');
    expect(tokens.patient).toBe('pat-1');
    expect((await whoami(tokens.access_token)).actor).toMatchObject({ kind: 'patient', patientId: 'pat-1' });
  });

  it('refuses NHS login below P9', async () => {
    accounts.set('nhs-login-2', { nhs_number: '9990000026', identity_proofing_level: 'P5' });
    const low = await federate('nhs-login', 'nhs-login-2', 'openid patient/*.rs');
    expect(low.page!.status).toBe(403);
    expect(low.page!.body).toContain('P9');
    expect(await s.fixtures.store.userByLogin('nhs-login-9990000026')).toBeUndefined();
  });
});
