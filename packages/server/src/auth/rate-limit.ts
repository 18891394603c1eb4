import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor, RateLimitOptions } from '@fastify/rate-limit';
import type { Queryable } from '../db/database.ts';

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store over the shared database: a fixed window per key in
 * `auth_rate_limit`, counted with one upsert, so every instance behind the load balancer adds to
 * the same counter. (The plugin's default store is per process; with N instances an attacker would
 * get N times the budget. We have no Redis, and login and token requests are few enough that one
 * small write each costs nothing.)
 */
export function databaseRateLimitStore(db: Queryable): FastifyRateLimitStoreCtor {
  class DatabaseStore implements FastifyRateLimitStore {
    private readonly prefix: string;

    constructor(_options: RateLimitOptions, prefix = '') {
      this.prefix = prefix;
    }

    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      db.query<{ count: number; ttl_ms: number | string }>(
        `insert into auth_rate_limit as r (key, count, reset_at)
           values ($1, 1, now() + make_interval(secs => $2::double precision / 1000))
         on conflict (key) do update set
           count = case when r.reset_at <= now() then 1 else r.count + 1 end,
           reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
         returning count, greatest(0, extract(epoch from (reset_at - now())) * 1000) as ttl_ms`,
        [this.prefix + key, timeWindow],
      ).then(
        ([row]) => callback(null, { current: Number(row!.count), ttl: Math.ceil(Number(row!.ttl_ms)) }),
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: IncrCallback): void {
      db.query<{ count: number; ttl_ms: number | string }>(
        `select count, greatest(0, extract(epoch from (reset_at - now())) * 1000) as ttl_ms
         from auth_rate_limit where key = $1 and reset_at > now()`,
        [this.prefix + key],
      ).then(
        ([row]) =>
          callback(
            null,
            row ? { current: Number(row.count), ttl: Math.ceil(Number(row.ttl_ms)) } : { current: 0, ttl: 0 },
          ),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: {
      config?: unknown;
      url?: string;
      routeInfo?: { url?: string; method?: string | string[] };
    }): DatabaseStore {
      const route = routeOptions.routeInfo ?? routeOptions;
      const name = typeof route.url === 'string' ? route.url : '';
      return new DatabaseStore({}, `${name}|`);
    }
  }
  return DatabaseStore;
}
