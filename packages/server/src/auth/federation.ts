import type { Bundle, Resource } from '@medplum/fhirtypes';
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { NHS_NUMBER_SYSTEM, ODS_ORGANISATION_SYSTEM, SDS_USER_SYSTEM } from '@careweave/vocabulary';
import type { UpstreamIdpConfig } from '../config/config.ts';
import { jsonbValue } from '../db/jsonb.ts';
import type { AuthContext } from './context.ts';
import { isRoleCode, type UserRecord } from './store.ts';

export type UpstreamName = 'cis2' | 'nhs-login';

/** What a completed upstream sign-in resolved to. */
export interface FederatedLogin {
  accountId: string;
  provider: UpstreamName;
  /** For staff (CIS2): the role profile of the role selected at CIS2. */
  profileId?: string;
  acr?: string;
}

/** A refusal to show the person: the upstream sign-in worked but cannot be used here. */
export class FederationError extends Error {}

interface CallbackResult {
  uid: string;
  state: string;
}

const STATE_TTL_SECONDS = 600;

/**
 * Sign-in through NHS CIS2 (staff) and NHS login (citizens) with openid-client: authorization code
 * + PKCE + state + nonce; the state row in the database ties the upstream round trip to our
 * interaction, so the callback can land on any instance.
 */
export class Federation {
  private readonly auth: AuthContext;
  private readonly discovered = new Map<UpstreamName, Promise<oidc.Configuration>>();

  constructor(auth: AuthContext) {
    this.auth = auth;
  }

  enabled(name: UpstreamName): boolean {
    return this.upstream(name) !== undefined;
  }

  get callbackUrl(): string {
    return `${this.auth.platform.config.baseUrl}/auth/federation/callback`;
  }

  private upstream(name: UpstreamName): UpstreamIdpConfig | undefined {
    return name === 'cis2' ? this.auth.config.cis2 : this.auth.config.nhsLogin;
  }

  private configuration(name: UpstreamName): Promise<oidc.Configuration> {
    let found = this.discovered.get(name);
    if (!found) {
      found = this.discover(name);
      this.discovered.set(name, found);
      // A failed discovery (upstream down) is retried on the next sign-in.
      found.catch(() => this.discovered.delete(name));
    }
    return found;
  }

  private async discover(name: UpstreamName): Promise<oidc.Configuration> {
    const upstream = this.upstream(name)!;
    const issuer = new URL(upstream.issuer);
    const insecure =
      issuer.protocol === 'http:' &&
      !this.auth.platform.config.production &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    let clientAuth: oidc.ClientAuth;
    if (upstream.privateKey) {
      const jwk = JSON.parse(upstream.privateKey) as JWK;
      const key = await importJWK(jwk, jwk.alg ?? 'RS256');
      clientAuth = oidc.PrivateKeyJwt({ key, ...(jwk.kid ? { kid: jwk.kid } : {}) } as Parameters<
        typeof oidc.PrivateKeyJwt
      >[0]);
    } else {
      clientAuth = oidc.ClientSecretPost(upstream.clientSecret);
    }
    return oidc.discovery(issuer, upstream.clientId, undefined, clientAuth, {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  }

  /** Records the round trip and returns where to send the browser. */
  async start(name: UpstreamName, interactionUid: string): Promise<URL> {
    const upstream = this.upstream(name);
    if (!upstream) {
      throw new FederationError(`Sign-in with ${name} is not configured`);
    }
    const config = await this.configuration(name);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.auth.platform.db.query(
      `insert into auth_federation_state (state, provider, interaction_uid, code_verifier, nonce, expires_at)
       values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [state, name, interactionUid, codeVerifier, nonce, STATE_TTL_SECONDS],
    );
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: upstream.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(name === 'nhs-login' ? { vtr: '["P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"]' } : {}),
    });
  }

  /** The upstream redirected back: exchange the code, find the person, keep the outcome for the interaction. */
  async callback(query: URLSearchParams): Promise<CallbackResult> {
    const state = query.get('state');
    if (!state) {
      throw new FederationError('The sign-in response has no state');
    }
    const [row] = await this.auth.platform.db.query<{
      provider: UpstreamName;
      interaction_uid: string;
      code_verifier: string;
      nonce: string;
    }>(
      `select provider, interaction_uid, code_verifier, nonce from auth_federation_state
       where state = $1 and result is null and expires_at > now()`,
      [state],
    );
    if (!row) {
      throw new FederationError(
        'This sign-in has expired or was already used. Go back to the application and try again.',
      );
    }
    if (query.get('error')) {
      throw new FederationError(
        `${row.provider === 'cis2' ? 'NHS CIS2' : 'NHS login'} did not sign you in: ${query.get('error_description') ?? query.get('error')}`,
      );
    }
    const config = await this.configuration(row.provider);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(`${this.callbackUrl}?${query.toString()}`), {
      pkceCodeVerifier: row.code_verifier,
      expectedState: state,
      expectedNonce: row.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    let claims: Record<string, unknown> = { ...idClaims };
    try {
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...userinfo, ...claims };
    } catch {
      // Some providers put everything in the ID token; userinfo is a bonus.
    }
    const login =
      row.provider === 'cis2'
        ? await this.staffLogin(idClaims.sub, claims)
        : await this.patientLogin(idClaims.sub, claims);
    await this.auth.platform.db.query('update auth_federation_state set result = $2::jsonb where state = $1', [
      state,
      JSON.stringify(login),
    ]);
    return { uid: row.interaction_uid, state };
  }

  /** Takes (once) the outcome of the round trip started by interaction `uid`. */
  async complete(uid: string, state: string): Promise<FederatedLogin | undefined> {
    const [row] = await this.auth.platform.db.query<{ result: FederatedLogin | string }>(
      `delete from auth_federation_state where state = $1 and interaction_uid = $2 and result is not null
       and expires_at > now() returning result`,
      [state, uid],
    );
    if (!row) {
      return undefined;
    }
    return jsonbValue(row.result);
  }

  /**
   * NHS CIS2: `selected_roleid` (scope selectedrole) names one of `nhsid_nrbac_roles` (scope
   * nationalrbacaccess); its `org_code` is an ODS code and its `role_code` ends in the job role
   * (e.g. S8000:G8000:R8000). The person is the Practitioner with their SDS user id.
   */
  private async staffLogin(subject: string, claims: Record<string, unknown>): Promise<FederatedLogin> {
    const roles = Array.isArray(claims.nhsid_nrbac_roles)
      ? (claims.nhsid_nrbac_roles as { person_roleid?: string; org_code?: string; role_code?: string }[])
      : [];
    const selectedId = typeof claims.selected_roleid === 'string' ? claims.selected_roleid : undefined;
    const role = selectedId
      ? roles.find((r) => r.person_roleid === selectedId)
      : roles.length === 1
        ? roles[0]
        : undefined;
    if (!role?.org_code || !role.role_code) {
      throw new FederationError('NHS CIS2 did not say which role you selected. Sign in again and choose a role.');
    }
    const roleCode = role.role_code.split(':').find((part) => /^R\d{4}$/.test(part));
    if (!roleCode || !isRoleCode(roleCode)) {
      throw new FederationError(`Your selected role (${role.role_code}) does not give access to CareWeave.`);
    }
    const organizationId = await this.findId('Organization', ODS_ORGANISATION_SYSTEM, role.org_code);
    if (!organizationId) {
      throw new FederationError(`Your organisation (${role.org_code}) does not use CareWeave.`);
    }
    const sdsUserId = typeof claims.nhsid_useruid === 'string' ? claims.nhsid_useruid : subject;
    let user = await this.auth.store.identity('cis2', subject);
    if (!user) {
      const practitionerId = await this.findId('Practitioner', SDS_USER_SYSTEM, sdsUserId);
      if (!practitionerId) {
        throw new FederationError('You are not registered in CareWeave as a member of staff. Ask your administrator.');
      }
      user = await this.linkedUser('cis2', subject, `Practitioner/${practitionerId}`, `cis2-${sdsUserId}`, claims);
    }
    assertUsable(user);
    const practitionerId = user.fhirUser?.startsWith('Practitioner/')
      ? user.fhirUser.slice('Practitioner/'.length)
      : undefined;
    if (!practitionerId) {
      throw new FederationError('Your NHS CIS2 identity is linked to an account that is not a member of staff.');
    }
    const practitionerRoleId = await this.findPractitionerRole(practitionerId, organizationId);
    const profile = await this.auth.store.ensureRoleProfile(user.id, {
      organizationId,
      roleCode,
      ...(practitionerRoleId ? { practitionerRoleId } : {}),
    });
    return {
      accountId: user.id,
      provider: 'cis2',
      profileId: profile.id,
      ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}),
    };
  }

  /** NHS login: the verified NHS number (identity proofing level P9 only) names the Patient. */
  private async patientLogin(subject: string, claims: Record<string, unknown>): Promise<FederatedLogin> {
    if (claims.identity_proofing_level !== 'P9') {
      throw new FederationError(
        'CareWeave needs an NHS login whose identity has been fully verified (P9). Verify your identity in the NHS App and try again.',
      );
    }
    const nhsNumber = typeof claims.nhs_number === 'string' ? claims.nhs_number.replace(/\s/g, '') : undefined;
    if (!nhsNumber) {
      throw new FederationError('NHS login did not share your NHS number.');
    }
    let user = await this.auth.store.identity('nhs-login', subject);
    if (!user) {
      const patientId = await this.findId('Patient', NHS_NUMBER_SYSTEM, nhsNumber);
      if (!patientId) {
        throw new FederationError('We could not find your record in CareWeave.');
      }
      user = await this.linkedUser(
        'nhs-login',
        subject,
        `Patient/${patientId}`,
        `nhs-login-${nhsNumber}`,
        claims,
        nhsNumber,
      );
    }
    assertUsable(user);
    return {
      accountId: user.id,
      provider: 'nhs-login',
      ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}),
    };
  }

  /** The account for this record entry (created on first sign-in), linked to the upstream identity. */
  private async linkedUser(
    provider: UpstreamName,
    subject: string,
    fhirUser: string,
    username: string,
    claims: Record<string, unknown>,
    nhsNumber?: string,
  ): Promise<UserRecord> {
    let user = await this.auth.store.userByFhirUser(fhirUser);
    if (!user) {
      const name = [claims.given_name, claims.family_name].filter((v) => typeof v === 'string').join(' ');
      user = await this.auth.store.createUser({
        username,
        fhirUser,
        ...(name ? { displayName: name } : typeof claims.name === 'string' ? { displayName: claims.name } : {}),
        ...(nhsNumber ? { nhsNumber } : {}),
      });
    }
    await this.auth.store.linkIdentity(provider, subject, user.id);
    return user;
  }

  private async findId(type: string, system: string, value: string): Promise<string | undefined> {
    const bundle: Bundle = await this.auth.platform.resources.search(type, [
      ['identifier', `${system}|${value}`],
      ['_count', '1'],
    ]);
    return bundle.entry?.map((e) => e.resource).find((r): r is Resource => r?.resourceType === type)?.id;
  }

  private async findPractitionerRole(practitionerId: string, organizationId: string): Promise<string | undefined> {
    const bundle: Bundle = await this.auth.platform.resources.search('PractitionerRole', [
      ['practitioner', `Practitioner/${practitionerId}`],
      ['organization', `Organization/${organizationId}`],
      ['_count', '1'],
    ]);
    return bundle.entry?.map((e) => e.resource).find((r) => r?.resourceType === 'PractitionerRole')?.id;
  }
}

function assertUsable(user: UserRecord): void {
  if (user.disabled) {
    throw new FederationError('Your CareWeave account is locked. Contact your administrator.');
  }
}
