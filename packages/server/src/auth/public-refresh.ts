import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuthContext } from './context.ts';
import { ROUTES } from './endpoints.ts';

const LIMIT = 56 * 1024;

async function readForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) {
      throw new Error('request entity too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A public client's refresh without `client_id` (fhirclient sends none unless told to, and OAuth
 * 2.0 §6 does not require it): the refresh token names its client, and a public client has nothing
 * to authenticate with, so the client id is taken from the token. Only for clients whose
 * token_endpoint_auth_method is `none`; a confidential client must still authenticate.
 */
export function publicRefreshClientId(auth: AuthContext) {
  return async function publicRefresh(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    if (
      ctx.method !== 'POST' ||
      ctx.path !== ROUTES.token ||
      ctx.get('authorization') ||
      !ctx.is('application/x-www-form-urlencoded')
    ) {
      return next();
    }
    const raw = await readForm(ctx.req);
    const form = new URLSearchParams(raw);
    const token = form.get('refresh_token');
    if (form.get('grant_type') === 'refresh_token' && token && !form.get('client_id')) {
      const clientId = await refreshTokenClient(auth, token);
      if (clientId) {
        form.set('client_id', clientId);
      }
    }
    // The provider reads an already-read body from req.body (oidc-provider selective_body).
    (ctx.req as IncomingMessage & { body?: string }).body = form.toString();
    return next();
  };
}

async function refreshTokenClient(auth: AuthContext, token: string): Promise<string | undefined> {
  const [row] = await auth.platform.db.query<{ client_id: string | null }>(
    `select payload->>'clientId' as client_id from auth_oidc where model = 'RefreshToken' and id = $1`,
    [token],
  );
  const clientId = row?.client_id ?? undefined;
  if (!clientId) {
    return undefined;
  }
  if (clientId === auth.webClientId) {
    return clientId;
  }
  const client = await auth.store.client(clientId);
  return client && !client.disabled && client.metadata.token_endpoint_auth_method === 'none' ? clientId : undefined;
}
