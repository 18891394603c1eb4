import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, notFound, unauthorised } from '../fhir/outcome.ts';
import { describeScopes } from './app-consent.ts';
import type { AuthContext } from './context.ts';

export interface ConnectedApp {
  clientId: string;
  name: string;
  /** What the person allowed it, in plain words. */
  allowed: string[];
  scopes: string[];
  grantedAt: string;
}

/**
 * The third-party apps a person has allowed, and taking one back. Guarded first: only a person's
 * own list, and only through the first-party web app — a third-party app's token may not see or
 * stop other apps (nor itself: an app leaves through token revocation).
 */
export class ConnectedApps {
  private readonly auth: AuthContext;

  constructor(auth: AuthContext) {
    this.auth = auth;
  }

  private requirePerson(request: FastifyRequest): string {
    const token = request.token;
    if (!token) {
      throw unauthorised('An access token is required');
    }
    if (!token.userId || token.clientId !== this.auth.webClientId) {
      throw forbidden('Connected apps are managed by the person, in the CareWeave web app');
    }
    return token.userId;
  }

  async list(request: FastifyRequest): Promise<ConnectedApp[]> {
    const accountId = this.requirePerson(request);
    const found = await this.auth.authorisations.list(accountId);
    return Promise.all(
      found.map(async (a) => ({
        clientId: a.clientId,
        name: (await this.auth.apps.name(a.clientId)) ?? a.clientId,
        allowed: describeScopes(a.scopes),
        scopes: a.scopes,
        grantedAt: a.grantedAt,
      })),
    );
  }

  /**
   * Stops an app: forgets what the person allowed it, revokes each of the person's grants to it
   * with every code and refresh token of those grants, and records the grants as revoked so that
   * every instance refuses the JWT access tokens already issued from them (revocations.ts).
   */
  async revoke(request: FastifyRequest, clientId: string): Promise<{ revokedGrants: number }> {
    const accountId = this.requirePerson(request);
    const { found, grantIds } = await this.auth.authorisations.forget(accountId, clientId);
    if (!found && !grantIds.length) {
      notFound(`You have not allowed an app '${clientId}'`);
    }
    const db = this.auth.platform.db;
    for (const grantId of grantIds) {
      await db.query(`delete from auth_oidc where grant_id = $1 or (model = 'Grant' and id = $1)`, [grantId]);
      await this.auth.revocations.revoke(grantId);
    }
    return { revokedGrants: grantIds.length };
  }
}

/** GET /api/connected-apps, DELETE /api/connected-apps/:clientId. */
export function registerConnectedAppsApi(app: FastifyInstance, auth: AuthContext): void {
  const service = new ConnectedApps(auth);
  app.get('/api/connected-apps', async (request, reply) =>
    reply.header('cache-control', 'no-store').send(await service.list(request)),
  );
  app.delete(
    '/api/connected-apps/:clientId',
    async (request: FastifyRequest<{ Params: { clientId: string } }>, reply) =>
      reply.header('cache-control', 'no-store').send(await service.revoke(request, request.params.clientId)),
  );
}
