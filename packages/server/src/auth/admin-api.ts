import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, forbidden, unauthorised } from '../fhir/outcome.ts';
import { DatabaseAdmin, type CreateClientInput, type CreateUserInput } from './admin.ts';
import type { AppAuthMethod, AppRegistration } from './apps.ts';
import type { AuthContext } from './context.ts';

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    badRequest('Send a JSON object');
  }
  return body as Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A SMART app registration from a JSON body (the shape of AppRegistration); the rules check it. */
function appInput(body: Record<string, unknown>): AppRegistration {
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
  return {
    clientId: str(body.clientId) ?? '',
    name: str(body.name) ?? '',
    redirectUris: list(body.redirectUris),
    authentication: (str(body.authentication) ?? 'none') as AppAuthMethod,
    ...(body.jwks && typeof body.jwks === 'object' ? { jwks: body.jwks as AppRegistration['jwks'] & object } : {}),
    ...(str(body.jwksUri) ? { jwksUri: str(body.jwksUri)! } : {}),
    ...(body.scopes !== undefined ? { scopes: list(body.scopes) } : {}),
  };
}

/** Sends the result; refusals (OperationOutcomeError) go to the app's error handler. */
async function run<T>(reply: FastifyReply, work: () => Promise<T>, status = 200): Promise<FastifyReply> {
  const result = await work();
  return reply.code(status).header('cache-control', 'no-store').send(result);
}

/**
 * /api/admin: what `careweave org|user|client|apps` does, for when the CLI cannot open the database
 * itself (the embedded database is held by the running server) and for admin tools. Allowed to
 * administrator accounts and to the bootstrap client or clients registered with --admin.
 */
export function registerAdminApi(app: FastifyInstance, auth: AuthContext): void {
  const admin = new DatabaseAdmin(auth.store, auth.platform.resources, auth.apps);

  async function requireAdmin(request: FastifyRequest): Promise<void> {
    const token = request.token;
    if (!token) {
      throw unauthorised('An access token is required');
    }
    if (token.userId) {
      const user = await auth.store.userById(token.userId);
      if (user?.isAdmin && !user.disabled) {
        return;
      }
    } else if (token.clientId === auth.config.bootstrapClient?.clientId) {
      return;
    } else {
      const client = await auth.store.client(token.clientId);
      if (client?.isAdmin && !client.disabled) {
        return;
      }
    }
    throw forbidden('Only administrators may use the admin API');
  }

  app.register(
    (api, _options, done) => {
      api.addHook('preHandler', requireAdmin);

      api.get('/organizations', (_request, reply) => run(reply, () => admin.listOrganizations()));
      api.post('/organizations', (request, reply) => {
        const body = bodyOf(request);
        return run(
          reply,
          () =>
            admin.createOrganization({
              name: str(body.name) ?? '',
              ods: str(body.ods) ?? '',
              type: str(body.type) ?? '',
              ...(str(body.partOf) ? { partOf: str(body.partOf)! } : {}),
            }),
          201,
        );
      });

      api.get('/users', (_request, reply) => run(reply, () => admin.listUsers()));
      api.post('/users', (request, reply) => {
        const body = bodyOf(request);
        const input: CreateUserInput = {
          username: str(body.username) ?? '',
          ...(str(body.email) ? { email: str(body.email)! } : {}),
          ...(str(body.displayName) ? { displayName: str(body.displayName)! } : {}),
          ...(str(body.password) ? { password: str(body.password)! } : {}),
          ...(body.generatePassword === true ? { generatePassword: true } : {}),
          ...(str(body.practitioner) ? { practitioner: str(body.practitioner)! } : {}),
          ...(str(body.nhsNumber) ? { nhsNumber: str(body.nhsNumber)! } : {}),
          ...(str(body.relatedPerson) ? { relatedPerson: str(body.relatedPerson)! } : {}),
          ...(body.admin === true ? { admin: true } : {}),
        };
        return run(reply, () => admin.createUser(input), 201);
      });
      type UserReq = FastifyRequest<{ Params: { username: string } }>;
      api.post('/users/:username/roles', (request: UserReq, reply) => {
        const body = bodyOf(request);
        return run(reply, () =>
          admin.addRole(request.params.username, {
            organization: str(body.organization) ?? '',
            role: str(body.role) ?? '',
            ...(str(body.practitionerRole) ? { practitionerRole: str(body.practitionerRole)! } : {}),
          }),
        );
      });
      api.post('/users/:username/lock', (request: UserReq, reply) =>
        run(reply, () => admin.lockUser(request.params.username)),
      );
      api.post('/users/:username/unlock', (request: UserReq, reply) =>
        run(reply, () => admin.unlockUser(request.params.username)),
      );
      api.post('/users/:username/password', (request: UserReq, reply) => {
        const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
        return run(reply, () => admin.setPassword(request.params.username, str(body.password)));
      });

      api.get('/clients', (_request, reply) => run(reply, () => admin.listClients()));
      api.post('/clients', (request, reply) => {
        const body = bodyOf(request);
        const input: CreateClientInput = {
          clientId: str(body.clientId) ?? '',
          scopes: str(body.scopes) ?? '',
          ...(str(body.description) ? { description: str(body.description)! } : {}),
          ...(body.jwks && typeof body.jwks === 'object' ? { jwks: body.jwks as CreateClientInput['jwks'] } : {}),
          ...(str(body.jwksUri) ? { jwksUri: str(body.jwksUri)! } : {}),
          ...(body.secret === true ? { secret: true } : {}),
          // Anything given is checked (an unknown purpose, or one that is not text, is refused).
          ...(body.purpose !== undefined && body.purpose !== null
            ? { purpose: typeof body.purpose === 'string' ? body.purpose : JSON.stringify(body.purpose) }
            : {}),
          ...(body.admin === true ? { admin: true } : {}),
        };
        return run(reply, () => admin.createClient(input), 201);
      });

      api.get('/apps', (_request, reply) => run(reply, () => admin.listApps()));
      api.post('/apps', (request, reply) => run(reply, () => admin.registerApp(appInput(bodyOf(request))), 201));
      api.post('/apps/initial-access-tokens', (request, reply) => {
        const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
        const ttl = typeof body.expiresInSeconds === 'number' ? body.expiresInSeconds : undefined;
        return run(reply, () => admin.issueInitialAccessToken(ttl), 201);
      });
      done();
    },
    { prefix: '/api/admin' },
  );
}
