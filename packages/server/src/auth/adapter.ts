import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Queryable } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';

interface OidcRow {
  payload: AdapterPayload | string;
  consumed_at: Date | string | null;
}

interface ClientRow {
  metadata: AdapterPayload | string;
}

/**
 * oidc-provider's storage over our Database: one table (`auth_oidc`) for every model, keyed by
 * (model, id), with the columns the provider looks things up by. Clients come from `auth_client`
 * (registered with `careweave client create` or `careweave apps register`, or by dynamic
 * registration through `onClientRegistered`); the provider's own cache of them is keyed by a hash
 * of the metadata, so a change made through another instance is seen on the next request.
 * `onGrantRevoked` hears of every grant the provider revokes (a replayed code or refresh token,
 * revocation, sign-out), for the JWT access tokens it cannot delete.
 */
export function oidcAdapter(
  db: Queryable,
  onGrantRevoked: (grantId: string) => Promise<void> = async () => {},
  onClientRegistered?: (clientId: string, metadata: AdapterPayload) => Promise<void>,
): new (name: string) => Adapter {
  return class DatabaseAdapter implements Adapter {
    private readonly model: string;

    constructor(name: string) {
      this.model = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') {
        // Dynamic registration (RFC 7591, src/auth/app-registration.ts): a new client only, into auth_client.
        if (!onClientRegistered) {
          throw new Error('clients are registered with `careweave client create`, not through the provider');
        }
        return onClientRegistered(id, payload);
      }
      await db.query(
        `insert into auth_oidc (model, id, payload, grant_id, user_code, uid, expires_at)
         values ($1, $2, $3::jsonb, $4, $5, $6,
                 case when $7::integer is null then null else now() + make_interval(secs => $7::integer) end)
         on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
           user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
        [
          this.model,
          id,
          JSON.stringify(payload),
          payload.grantId ?? null,
          payload.userCode ?? null,
          payload.uid ?? null,
          expiresIn === undefined ? null : Math.max(1, Math.ceil(expiresIn)),
        ],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const [row] = await db.query<ClientRow>(
          'select metadata from auth_client where client_id = $1 and not disabled',
          [id],
        );
        return row ? { ...jsonbValue(row.metadata), client_id: id } : undefined;
      }
      return this.findBy('id', id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await db.query('update auth_oidc set consumed_at = now() where model = $1 and id = $2', [this.model, id]);
    }

    async destroy(id: string): Promise<void> {
      await db.query('delete from auth_oidc where model = $1 and id = $2', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.query('delete from auth_oidc where grant_id = $1', [grantId]);
      await onGrantRevoked(grantId);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const [row] = await db.query<OidcRow>(
        `select payload, consumed_at from auth_oidc
         where model = $1 and ${column} = $2 and (expires_at is null or expires_at > now()) limit 1`,
        [this.model, value],
      );
      if (!row) {
        return undefined;
      }
      const payload = jsonbValue(row.payload);
      if (row.consumed_at !== null) {
        const consumed = row.consumed_at instanceof Date ? row.consumed_at : new Date(row.consumed_at);
        return { ...payload, consumed: Math.floor(consumed.getTime() / 1000) };
      }
      return payload;
    }
  };
}

/** Deletes expired provider records, rate-limit windows and federation states. Safe on any instance. */
export async function purgeExpired(db: Queryable): Promise<void> {
  await db.query('delete from auth_oidc where expires_at < now()');
  await db.query('delete from auth_rate_limit where reset_at < now()');
  await db.query('delete from auth_federation_state where expires_at < now()');
  await db.query(
    `delete from auth_grant_profile g where g.created_at < now() - interval '1 hour'
       and not exists (select 1 from auth_oidc o where o.model = 'Grant' and o.id = g.grant_id)`,
  );
}
