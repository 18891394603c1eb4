import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';
import { AppMetadataError, appMetadata, appOrigins, isAppMetadata, type AppRegistration } from './apps.ts';

/** oidc-provider's model name for initial access tokens (RFC 7591 §3): stored in `auth_oidc`. */
export const INITIAL_ACCESS_TOKEN_MODEL = 'InitialAccessToken';

/** The registration policy every initial access token carries (provider.ts applies it). */
export const SMART_APP_POLICY = 'smart-app';

/** How long an initial access token may be used by default: one day. */
export const DEFAULT_INITIAL_ACCESS_TOKEN_TTL = 86_400;

export interface AppSummary {
  clientId: string;
  name: string;
  authentication: string;
  redirectUris: string[];
  scopes: string;
  disabled: boolean;
  /** `admin` (admin API or CLI) or `dynamic` (RFC 7591 at /auth/reg). */
  registeredBy: 'admin' | 'dynamic';
  createdAt: string;
}

interface ClientRow {
  client_id: string;
  description: string | null;
  metadata: Record<string, unknown> | string;
  disabled: boolean;
  created_at: Date | string;
}

/** How many seconds a process trusts its list of registered apps' origins (CORS) before reloading it. */
const ORIGINS_TRUST_MS = 5_000;

/**
 * The registered SMART apps, kept in `auth_client` beside the back-end clients (so every instance
 * sees the same apps), and the origins they run on, which CORS allows without configuration.
 */
export class AppRegistry {
  private readonly db: Database;
  /** The first-party web app's redirect URIs (static, not in auth_client): no app may take them. */
  private readonly reserved: readonly string[];
  private origins: ReadonlySet<string> = new Set();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(db: Database, reservedRedirectUris: readonly string[] = []) {
    this.db = db;
    this.reserved = reservedRedirectUris;
  }

  /**
   * Registers an app (admin API and CLI): checks its metadata (apps.ts) and that no other client
   * already has one of its redirect URIs. Returns the generated secret of a client_secret_basic app.
   */
  async register(input: AppRegistration): Promise<{ app: AppSummary; clientSecret?: string }> {
    const { metadata, clientSecret } = appMetadata(input);
    const row = await this.insert(input.clientId, input.name, metadata);
    return { app: summariseApp(row), ...(clientSecret ? { clientSecret } : {}) };
  }

  /**
   * Stores metadata the provider has already checked (dynamic registration): the same uniqueness
   * of the client id and redirect URIs as for an administrator's registration.
   */
  async insert(clientId: string, description: string, metadata: Record<string, unknown>): Promise<ClientRow> {
    const uris = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris.map(String) : [];
    const row = await this.db.transaction(async (tx) => {
      // One registration at a time, so two cannot claim the same redirect URI at once.
      await tx.query('lock table auth_client in share row exclusive mode');
      const [taken] = await tx.query<{ client_id: string }>('select client_id from auth_client where client_id = $1', [
        clientId,
      ]);
      if (taken) {
        throw new AppMetadataError('invalid_client_metadata', `A client '${clientId}' already exists`);
      }
      await checkRedirectUris(tx, uris, this.reserved);
      const [inserted] = await tx.query<ClientRow>(
        `insert into auth_client (client_id, description, metadata) values ($1, $2, $3::jsonb) returning *`,
        [clientId, description, JSON.stringify(metadata)],
      );
      return inserted!;
    });
    this.loadedAt = 0;
    await this.refresh();
    return row;
  }

  /** Refuses a redirect URI another client already has (AppMetadataError `invalid_redirect_uri`). */
  checkRedirectUris(uris: readonly string[]): Promise<void> {
    return checkRedirectUris(this.db, uris, this.reserved);
  }

  async list(): Promise<AppSummary[]> {
    const rows = await this.db.query<ClientRow>('select * from auth_client order by client_id');
    return rows.filter((row) => isAppMetadata(jsonbValue(row.metadata))).map(summariseApp);
  }

  /** An app's name as it registered it, for the consent screen and the connected-apps page. */
  async name(clientId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ name: string | null }>(
      `select metadata->>'client_name' as name from auth_client where client_id = $1`,
      [clientId],
    );
    return row ? (row.name ?? clientId) : undefined;
  }

  /**
   * Whether a registered app runs on `origin` (the CORS policy's source: synchronous, from a list
   * this process reloads every few seconds, so another instance's registration shows within them).
   */
  allowsOrigin(origin: string): boolean {
    if (Date.now() - this.loadedAt > ORIGINS_TRUST_MS) {
      void this.refresh().catch(() => {});
    }
    return this.origins.has(origin);
  }

  /** Reloads the origins of the registered, enabled apps. */
  refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = await this.db.query<{ metadata: Record<string, unknown> | string }>(
          'select metadata from auth_client where not disabled',
        );
        const origins = new Set<string>();
        for (const row of rows) {
          const metadata = jsonbValue(row.metadata);
          if (isAppMetadata(metadata)) {
            appOrigins(metadata).forEach((o) => origins.add(o));
          }
        }
        this.origins = origins;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /**
   * Issues an initial access token for RFC 7591 dynamic registration (`Authorization: Bearer …` on
   * POST /auth/reg), stored as the provider stores its own so that any instance accepts it. It may
   * be used until it expires; every registration made with it follows the SMART app policy.
   */
  async issueInitialAccessToken(ttlSeconds = DEFAULT_INITIAL_ACCESS_TOKEN_TTL): Promise<{
    token: string;
    expiresAt: string;
  }> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 90 * 86_400) {
      throw new AppMetadataError('invalid_client_metadata', 'An initial access token lives 60 seconds to 90 days');
    }
    const token = randomBytes(32).toString('base64url');
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + ttlSeconds;
    const payload = { iat, exp, jti: token, kind: INITIAL_ACCESS_TOKEN_MODEL, policies: [SMART_APP_POLICY] };
    await this.db.query(
      `insert into auth_oidc (model, id, payload, expires_at)
       values ($1, $2, $3::jsonb, now() + make_interval(secs => $4::integer))`,
      [INITIAL_ACCESS_TOKEN_MODEL, token, JSON.stringify(payload), ttlSeconds],
    );
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }
}

/**
 * No two clients share a redirect URI: an app cannot register another's, so a code or an error
 * sent to a redirect URI always goes back to the app that asked.
 */
async function checkRedirectUris(db: Queryable, uris: readonly string[], reserved: readonly string[]): Promise<void> {
  for (const uri of uris) {
    if (reserved.includes(uri)) {
      throw new AppMetadataError('invalid_redirect_uri', `The redirect URI ${uri} belongs to another app`);
    }
    const [owner] = await db.query<{ client_id: string }>(
      `select client_id from auth_client where metadata->'redirect_uris' @> jsonb_build_array($1::text) limit 1`,
      [uri],
    );
    if (owner) {
      throw new AppMetadataError('invalid_redirect_uri', `The redirect URI ${uri} belongs to another app`);
    }
  }
}

function summariseApp(row: ClientRow): AppSummary {
  const m = jsonbValue(row.metadata);
  return {
    clientId: row.client_id,
    name: typeof m.client_name === 'string' ? m.client_name : row.client_id,
    authentication: typeof m.token_endpoint_auth_method === 'string' ? m.token_endpoint_auth_method : '',
    redirectUris: Array.isArray(m.redirect_uris) ? m.redirect_uris.map(String) : [],
    scopes: typeof m.careweave_allowed_scopes === 'string' ? m.careweave_allowed_scopes : '',
    disabled: row.disabled,
    registeredBy: m.client_id_issued_at !== undefined ? 'dynamic' : 'admin',
    createdAt: (row.created_at instanceof Date ? row.created_at : new Date(row.created_at)).toISOString(),
  };
}
