import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { errors as oidcErrors, type InteractionResults } from 'oidc-provider';
import { userKind, type AuthContext } from './context.ts';
import type { Federation } from './federation.ts';
import { FederationError, type FederatedLogin, type UpstreamName } from './federation.ts';
import { ALLOWED_SCOPES_PROPERTY, OIDC_SCOPES } from './provider.ts';
import { describeScopes } from './app-consent.ts';
import { renderConsentPage } from './app-consent-view.ts';
import { PatientPicker, renderPatientPickerPage, type PatientChoice } from './patient-picker.ts';
import { clientAddress } from './client-address.ts';
import { LoginThrottle } from './login-throttle.ts';
import { checkPassword } from './password-login.ts';
import { dummyPasswordHash } from './passwords.ts';
import { grantableScopes, isSmartScope, scopeCoveredBy } from './scopes.ts';
import { accountStatus, ROLE_NAMES, type RoleProfile } from './store.ts';
import {
  PAGE_HEADERS,
  renderErrorPage,
  renderLoginPage,
  renderMessagePage,
  renderProfilePage,
  type ProfileChoice,
} from './views.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type UidRequest = FastifyRequest<{ Params: { uid: string } }>;

/**
 * The one answer to every refused password sign-in (unknown name, wrong password, locked account,
 * too many attempts), so the page never says which accounts exist or are locked.
 */
function refusedMessage(windowMinutes: number): string {
  return (
    'Enter a correct username and password. After several attempts that fail, wait ' +
    `${windowMinutes} minutes before you try again. If it still does not work, contact your administrator.`
  );
}

function formFields(body: unknown): URLSearchParams {
  return new URLSearchParams(typeof body === 'string' ? body : '');
}

function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(html);
}

/**
 * The sign-in pages the provider sends people to: the login form, the role-profile choice, and
 * the round trip to NHS CIS2 / NHS login. State lives in the provider's Interaction (database),
 * reached through its cookie, so a form rendered by one instance can be posted to another.
 */
export function registerInteractionRoutes(
  app: FastifyInstance,
  auth: AuthContext,
  provider: Provider,
  federation: Federation,
): void {
  const { store, config } = auth;
  const rateLimit = { max: config.rateLimit.max, timeWindow: config.rateLimit.windowSeconds * 1000 };
  const throttle = new LoginThrottle(auth.platform.db, config.loginThrottle);
  const picker = new PatientPicker(auth);
  // Made now, so the first sign-in with an unknown name costs no more than any other.
  void dummyPasswordHash();

  /** The interaction this browser is in, or an error page when its cookie is missing or stale. */
  /**
   * The interaction's details when it is at the consent prompt (profile, app consent, patient picker);
   * otherwise the browser is sent back to the interaction's current step and undefined returned.
   */
  async function atConsent(request: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
    const d = await details(request, reply);
    if (d && d.prompt.name !== 'consent') {
      void reply.redirect(`/auth/interaction/${encodeURIComponent(d.uid)}`, 303);
      return undefined;
    }
    return d;
  }

  async function details(request: UidRequest, reply: FastifyReply): Promise<Details | undefined> {
    try {
      const found = await provider.interactionDetails(request.raw, reply.raw);
      if (found.uid !== request.params.uid) {
        throw new oidcErrors.SessionNotFound('interaction mismatch');
      }
      return found;
    } catch (error) {
      if (error instanceof oidcErrors.SessionNotFound || (error as { name?: string }).name === 'SessionNotFound') {
        sendPage(
          reply,
          renderMessagePage(
            'Your sign-in has expired',
            'For your security, sign-in pages only work for a limited time. Go back to the application and sign in again.',
          ),
          400,
        );
        return undefined;
      }
      throw error;
    }
  }

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    result: InteractionResults,
    merge = false,
  ): Promise<FastifyReply> {
    const returnTo = await provider.interactionResult(request.raw, reply.raw, result, {
      mergeWithLastSubmission: merge,
    });
    return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
  }

  /** The scope patterns a registered app may be given (none for an unknown or disabled client). */
  async function appScopePatterns(clientId: string): Promise<string[]> {
    const client = await store.client(clientId);
    const patterns = client && !client.disabled ? client.metadata[ALLOWED_SCOPES_PROPERTY] : undefined;
    return typeof patterns === 'string' ? patterns.split(' ').filter(Boolean) : [];
  }

  function loginPage(reply: FastifyReply, d: Details, error?: string, username?: string, status = 200): FastifyReply {
    return sendPage(
      reply,
      renderLoginPage({
        uid: d.uid,
        clientName: d.params.client_id === auth.webClientId ? 'CareWeave' : String(d.params.client_id),
        federation: { cis2: federation.enabled('cis2'), nhsLogin: federation.enabled('nhs-login') },
        ...(error ? { error } : {}),
        ...(username ? { username } : {}),
      }),
      status,
    );
  }

  async function profileChoices(profiles: RoleProfile[]): Promise<ProfileChoice[]> {
    return Promise.all(
      profiles.map(async (p) => ({
        id: p.id,
        role: `${ROLE_NAMES[p.roleCode]} (${p.roleCode})`,
        organisation: await organisationName(auth, p.organizationId),
      })),
    );
  }

  /**
   * The consent step. The first-party web app gets no consent screen; a third-party SMART app
   * gets one (app-consent-view.ts) unless the person already allowed it what it asks for. We
   * grant what the person's kind allows, within what the app was registered for, and, for staff,
   * bind the chosen role profile to the grant (it goes into every token).
   */
  async function consent(
    request: UidRequest,
    reply: FastifyReply,
    d: Details,
    chosenProfileId?: string,
    choices: { decision?: string; patientId?: string; patientQuery?: string } = {},
  ): Promise<FastifyReply> {
    const { decision } = choices;
    const accountId = d.session?.accountId;
    const user = accountId ? await store.userById(accountId) : undefined;
    if (!user || accountStatus(user) === 'disabled') {
      return sendPage(reply, renderErrorPage('Your account cannot be used. Contact your administrator.'), 403);
    }
    const kind = userKind(user);
    let profile: RoleProfile | undefined;
    if (kind === 'staff') {
      const profiles = await store.roleProfiles(user.id);
      if (!profiles.length) {
        return sendPage(
          reply,
          renderErrorPage('You have no role in any organisation in CareWeave yet. Ask your administrator to add one.'),
          403,
        );
      }
      const preselected = (d.lastSubmission as { careweave?: { profileId?: string } } | undefined)?.careweave
        ?.profileId;
      const wanted = chosenProfileId ?? preselected ?? (profiles.length === 1 ? profiles[0]!.id : undefined);
      profile = profiles.find((p) => p.id === wanted);
      if (!profile) {
        return sendPage(
          reply,
          renderProfilePage({
            uid: d.uid,
            name: user.displayName ?? user.username,
            profiles: await profileChoices(profiles),
            ...(chosenProfileId ? { error: 'Choose one of your roles' } : {}),
          }),
          chosenProfileId ? 400 : 200,
        );
      }
    }
    const clientId = String(d.params.client_id);
    const requested = (typeof d.params.scope === 'string' ? d.params.scope : '').split(' ').filter(Boolean);
    const oidcScopes = requested.filter((s) => OIDC_SCOPES.includes(s));
    const smart = requested.filter(isSmartScope);
    const firstParty = clientId === auth.webClientId;
    const patterns = firstParty ? ['patient/*.cruds', 'user/*.cruds'] : await appScopePatterns(clientId);
    const allowed = grantableScopes(kind, smart).filter((s) => scopeCoveredBy(s, patterns));
    let patient: PatientChoice | undefined;
    if (!firstParty && kind === 'staff' && profile && oidcScopes.includes('launch/patient') && picker.available) {
      // SMART standalone launch by staff: which patient (one they may see) the app is for.
      patient = choices.patientId ? await picker.find(user, profile, choices.patientId) : undefined;
      if (!patient) {
        const query = choices.patientQuery ?? '';
        return sendPage(
          reply,
          renderPatientPickerPage({
            uid: d.uid,
            appName: (await auth.apps.name(clientId)) ?? clientId,
            query,
            results: query ? await picker.search(user, profile, query) : undefined,
            profileId: profile.id,
            ...(choices.patientId ? { error: 'Choose a patient you may see' } : {}),
          }),
          choices.patientId ? 400 : 200,
        );
      }
    }
    if (!firstParty) {
      // A third-party app: the person decides, once (remembered until they take it back).
      const asked = [...oidcScopes, ...allowed];
      if (decision === 'deny') {
        return finish(request, reply, {
          error: 'access_denied',
          error_description: 'The person did not allow the app',
        });
      }
      if (decision !== 'allow' && !(await auth.authorisations.covers(user.id, clientId, asked))) {
        return sendPage(
          reply,
          renderConsentPage({
            uid: d.uid,
            clientId,
            appName: (await auth.apps.name(clientId)) ?? clientId,
            name: user.displayName ?? user.username,
            allowed: describeScopes(asked),
            refused: describeScopes(smart.filter((s) => !allowed.includes(s))),
            ...(profile ? { profileId: profile.id } : {}),
            ...(patient ? { patient } : {}),
          }),
        );
      }
      await auth.authorisations.remember(user.id, clientId, asked);
    }
    const grant = new provider.Grant({ accountId: user.id, clientId });
    if (oidcScopes.length) {
      grant.addOIDCScope(oidcScopes.join(' '));
    }
    const claims = (d.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims;
    if (claims?.length) {
      grant.addOIDCClaims(claims);
    }
    if (allowed.length) {
      grant.addResourceScope(auth.fhirBase, allowed.join(' '));
    }
    const refused = smart.filter((s) => !allowed.includes(s));
    if (refused.length) {
      grant.rejectResourceScope(auth.fhirBase, refused.join(' '));
    }
    const grantId = await grant.save();
    if (profile) {
      await store.setGrantProfile(grantId, profile.id);
    }
    if (patient) {
      await picker.remember(grantId, patient.id);
    }
    return finish(request, reply, { consent: { grantId } }, true);
  }

  app.get('/auth/interaction/:uid', async (request: UidRequest, reply) => {
    const d = await details(request, reply);
    if (!d) {
      return reply;
    }
    if (d.prompt.name === 'login') {
      return loginPage(reply, d);
    }
    if (d.prompt.name === 'consent') {
      return consent(request, reply, d);
    }
    return sendPage(reply, renderErrorPage(`Unexpected sign-in step '${d.prompt.name}'`), 400);
  });

  app.post('/auth/interaction/:uid/login', { config: { rateLimit } }, async (request: UidRequest, reply) => {
    const d = await details(request, reply);
    if (!d) {
      return reply;
    }
    if (d.prompt.name !== 'login') {
      return reply.redirect(`/auth/interaction/${encodeURIComponent(d.uid)}`, 303);
    }
    const form = formFields(request.body);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    if (!username || !password) {
      return loginPage(reply, d, 'Enter your username and password', username, 400);
    }
    const outcome = await checkPassword(
      { store, throttle },
      {
        login: username,
        password,
        clientId: String(d.params.client_id),
        address: clientAddress(request, config.trustProxy),
      },
    );
    if (outcome.kind !== 'ok') {
      request.log.info({ username, reason: outcome.reason }, 'sign-in refused');
      return loginPage(reply, d, refusedMessage(config.loginThrottle.windowMinutes), username, 401);
    }
    return finish(request, reply, { login: { accountId: outcome.user.id, amr: ['pwd'] } });
  });

  app.post('/auth/interaction/:uid/profile', async (request: UidRequest, reply) => {
    const d = await atConsent(request, reply);
    if (!d) {
      return reply;
    }
    return consent(request, reply, d, formFields(request.body).get('profile') ?? '');
  });

  app.post('/auth/interaction/:uid/consent', async (request: UidRequest, reply) => {
    const d = await atConsent(request, reply);
    if (!d) {
      return reply;
    }
    const form = formFields(request.body);
    const decision = form.get('decision') === 'allow' ? 'allow' : 'deny';
    return consent(request, reply, d, form.get('profile') ?? undefined, {
      decision,
      ...(form.get('patient') ? { patientId: form.get('patient')! } : {}),
    });
  });

  // The staff patient picker (patient-picker.ts): a search, then the choice.
  app.get(
    '/auth/interaction/:uid/patients',
    { config: { rateLimit } },
    async (
      request: FastifyRequest<{ Params: { uid: string }; Querystring: { q?: string; profile?: string } }>,
      reply,
    ) => {
      const d = await atConsent(request, reply);
      if (!d) {
        return reply;
      }
      return consent(request, reply, d, String(request.query.profile ?? ''), {
        patientQuery: String(request.query.q ?? ''),
      });
    },
  );

  app.post('/auth/interaction/:uid/patient', async (request: UidRequest, reply) => {
    const d = await atConsent(request, reply);
    if (!d) {
      return reply;
    }
    const form = formFields(request.body);
    return consent(request, reply, d, form.get('profile') ?? undefined, { patientId: form.get('patient') ?? '' });
  });

  app.get('/auth/interaction/:uid/abort', async (request: UidRequest, reply) => {
    const d = await details(request, reply);
    if (!d) {
      return reply;
    }
    return finish(request, reply, { error: 'access_denied', error_description: 'The person cancelled signing in' });
  });

  app.get(
    '/auth/interaction/:uid/federate/:provider',
    { config: { rateLimit } },
    async (request: FastifyRequest<{ Params: { uid: string; provider: string } }>, reply) => {
      const d = await details(request, reply);
      if (!d) {
        return reply;
      }
      const name = request.params.provider as UpstreamName;
      if ((name !== 'cis2' && name !== 'nhs-login') || !federation.enabled(name)) {
        return sendPage(reply, renderErrorPage('That way of signing in is not available here.'), 404);
      }
      try {
        const url = await federation.start(name, d.uid);
        return reply.header('cache-control', 'no-store').redirect(url.href, 303);
      } catch (error) {
        request.log.warn({ err: error, provider: name }, 'federation start failed');
        return sendPage(
          reply,
          renderErrorPage(
            `${name === 'cis2' ? 'NHS CIS2' : 'NHS login'} is not available at the moment. Try again later or sign in with a password.`,
          ),
          502,
        );
      }
    },
  );

  app.get('/auth/federation/callback', { config: { rateLimit } }, async (request, reply) => {
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    try {
      const { uid, state } = await federation.callback(query);
      return reply
        .header('cache-control', 'no-store')
        .redirect(`/auth/interaction/${encodeURIComponent(uid)}/federated?state=${encodeURIComponent(state)}`, 303);
    } catch (error) {
      if (error instanceof FederationError) {
        return sendPage(reply, renderErrorPage(error.message), 403);
      }
      request.log.warn({ err: error }, 'federation callback failed');
      return sendPage(
        reply,
        renderErrorPage('The sign-in could not be completed. Go back to the application and try again.'),
        400,
      );
    }
  });

  app.get(
    '/auth/interaction/:uid/federated',
    async (request: FastifyRequest<{ Params: { uid: string }; Querystring: { state?: string } }>, reply) => {
      const d = await details(request, reply);
      if (!d) {
        return reply;
      }
      const login: FederatedLogin | undefined = await federation.complete(d.uid, String(request.query.state ?? ''));
      if (!login) {
        return sendPage(reply, renderErrorPage('This sign-in has expired or was already used.'), 400);
      }
      const result: InteractionResults = {
        login: { accountId: login.accountId, amr: [login.provider], ...(login.acr ? { acr: login.acr } : {}) },
        ...(login.profileId ? { careweave: { profileId: login.profileId } } : {}),
      };
      return finish(request, reply, result);
    },
  );
}

const orgNames = new Map<string, { name: string; at: number }>();

async function organisationName(auth: AuthContext, id: string): Promise<string> {
  const cached = orgNames.get(id);
  if (cached && Date.now() - cached.at < 300_000) {
    return cached.name;
  }
  let name = `Organization/${id}`;
  try {
    const stored = await auth.platform.resources.read('Organization', id);
    name = (JSON.parse(stored.json ?? '{}') as { name?: string }).name ?? name;
  } catch {
    // Unknown organisation: show its id.
  }
  orgNames.set(id, { name, at: Date.now() });
  return name;
}
