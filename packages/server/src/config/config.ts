import { z } from 'zod';
import path from 'node:path';
import os from 'node:os';
import { hl7v2Config, hl7v2Settings, type Hl7v2Config } from '../hl7v2/config.ts';
import { smsConfig, smsSettings, type SmsConfig } from '../gateways/sms/config.ts';

/** Environment variables all start with this prefix so a deployment can see at a glance what is ours. */
export const ENV_PREFIX = 'CAREWEAVE_';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: z.url().optional(),
  DATA_DIR: z
    .string()
    .min(1)
    .default(path.join(process.cwd(), '.careweave', 'data')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Streaming replicas that serve reads (src/db/replicas.ts; docs/DEPLOYMENT.md, Read replicas).
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'each must be a postgres:// or postgresql:// URL')))
    .optional(),
  DATABASE_REPLICA_MAX_LAG_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(16 * 1024 * 1024),
  DATABASE_REPLICA_CHECK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  DATABASE_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).default(5000),
  // PostgreSQL stops any one statement that runs longer (0: no limit set by CareWeave).
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  DEMO_DATA: booleanFromEnv.default(true),
  DEMO_PATIENTS: z.coerce.number().int().min(0).default(2000),
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  // JSON values in one request body (src/fhir/limits.ts); each resource in it is limited to 100,000.
  MAX_JSON_NODES: z.coerce.number().int().min(1000).max(100_000_000).default(100_000),
  // Strict-Transport-Security max-age; default one year when BASE_URL is https, else 0 (not sent).
  HSTS_MAX_AGE: z.coerce.number().int().min(0).max(63_072_000).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(10000).default(1000),
  PRODUCTION: booleanFromEnv.default(false),
  // Audit (src/access/audit.ts): reads' audit rows written in batches at most this many ms later.
  AUDIT_BUFFER_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  // Background jobs (src/jobs/) and FHIR bulk export (src/fhir/bulk/).
  JOB_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(1),
  BULK_EXPORT_EXPIRY_HOURS: z.coerce.number().positive().max(720).default(24),
  // FHIR Subscriptions (src/fhir/subscriptions/): rest-hook delivery.
  SUBSCRIPTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SUBSCRIPTION_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(5),
  SUBSCRIPTION_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  SUBSCRIPTION_ALLOWED_HOSTS: z
    .string()
    .regex(/^(\*|[A-Za-z0-9.:[\], -]+)$/, 'a comma-separated list of host names (host or host:port), or *')
    .optional(),
  SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: booleanFromEnv.default(false),
  // Sign-in (src/auth/).
  WEB_REDIRECT_URIS: z.string().optional(),
  // Browser apps on other origins allowed to call discovery, the token endpoint and the FHIR API (src/auth/cors.ts).
  CORS_ORIGINS: z.string().optional(),
  TRUST_PROXY: booleanFromEnv.default(false),
  ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(900),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(100),
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(30),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  BOOTSTRAP_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}$/, 'letters, digits, . _ - (3 to 64)')
    .optional(),
  BOOTSTRAP_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ADMIN_CLIENT_ID: z.string().min(1).optional(),
  ADMIN_CLIENT_SECRET: z.string().min(1).optional(),
  CIS2_ISSUER: z.url().optional(),
  CIS2_CLIENT_ID: z.string().min(1).optional(),
  CIS2_CLIENT_SECRET: z.string().min(1).optional(),
  CIS2_PRIVATE_KEY: z.string().min(1).optional(),
  CIS2_SCOPES: z.string().default('openid profile nationalrbacaccess selectedrole'),
  NHS_LOGIN_ISSUER: z.url().optional(),
  NHS_LOGIN_CLIENT_ID: z.string().min(1).optional(),
  NHS_LOGIN_CLIENT_SECRET: z.string().min(1).optional(),
  NHS_LOGIN_PRIVATE_KEY: z.string().min(1).optional(),
  NHS_LOGIN_SCOPES: z.string().default('openid profile'),
  // HL7 v2 over MLLP (src/hl7v2/config.ts): the listener is off unless MLLP_PORT is set.
  ...hl7v2Settings,
  // Text messages (src/gateways/sms/config.ts): loopback unless CAREWEAVE_SMS_GATEWAY says otherwise.
  ...smsSettings,
});

export type ConfigInput = z.input<typeof configSchema>;

export interface Config {
  /** Every `CAREWEAVE_*` variable as given, by full name: each module validates its own (src/modules/settings.ts). */
  env: Readonly<Record<string, string>>;
  port: number;
  host: string;
  /** Public base of the server, e.g. https://care.example.nhs.uk; the FHIR base is `${baseUrl}/fhir/R4`. */
  baseUrl: string;
  database:
    | { kind: 'pglite'; dataDir: string }
    | {
        kind: 'postgres';
        url: string;
        poolSize: number;
        /** `statement_timeout` of every pooled connection; 0 or unset: the server's own setting. */
        statementTimeoutMs?: number;
        /** Streaming replicas for reads (src/db/replicas.ts); absent: everything on the primary. */
        replicas?: { urls: string[]; maxLagBytes: number; maxLagMs: number; checkIntervalMs: number };
      };
  demoData: boolean;
  demoPatients: number;
  maxRequestBytes: number;
  /** JSON values (objects, arrays, strings, …) in one request body. */
  maxJsonNodes: number;
  /** Strict-Transport-Security max-age in seconds; 0: not sent. */
  hstsMaxAge: number;
  logLevel: string;
  defaultPageSize: number;
  maxPageSize: number;
  production: boolean;
  /**
   * > 0: reads' audit rows are queued and written in batches at most this many ms later, off the
   * request path (flushed at shutdown; a crash loses what is queued). 0: each read writes its row first.
   */
  auditBufferMs: number;
  /** Jobs of each kind this instance runs at once; 0: it runs none, other instances do. */
  jobConcurrency: number;
  /** How long a bulk export's status and files are kept after it is requested or finishes. */
  bulkExportExpiryHours: number;
  subscriptions: SubscriptionConfig;
  auth: AuthConfig;
  hl7v2: Hl7v2Config;
  sms: SmsConfig;
}

/** Delivery of FHIR Subscription notifications (rest-hook). */
export interface SubscriptionConfig {
  /** How long one POST to an endpoint may take. */
  timeoutMs: number;
  /** Retries of a failed delivery (with exponential backoff from `retryDelaySeconds`) before the Subscription is set to `error`. */
  retryLimit: number;
  retryDelaySeconds: number;
  /**
   * Endpoint hosts (`host` or `host:port`, lower case) notifications may go to; `['*']`: any host.
   * Empty (the default): none, so rest-hook Subscriptions are refused until this is configured.
   */
  allowedHosts: string[];
  /**
   * Whether endpoints may be (or resolve to) loopback, link-local or private addresses (RFC 1918,
   * fc00::/7, …). Cloud metadata addresses are refused even then.
   */
  allowPrivateNetworks: boolean;
  /** Production: endpoints must be https. */
  httpsOnly: boolean;
}

/** An upstream OpenID provider we federate to (NHS CIS2 for staff, NHS login for citizens). */
export interface UpstreamIdpConfig {
  issuer: string;
  clientId: string;
  /** client_secret_post when set; otherwise `privateKey` (private_key_jwt). */
  clientSecret?: string;
  /** Private JWK (JSON) for private_key_jwt client authentication. */
  privateKey?: string;
  scopes: string;
}

export interface AuthConfig {
  /**
   * Behind a load balancer that sets X-Forwarded-For/-Proto: rate limits count the client address
   * it reports, and the provider trusts its scheme. Never set it without such a proxy in front.
   */
  trustProxy: boolean;
  /** Where the web app (`careweave-web`) may receive authorization codes. */
  webRedirectUris: string[];
  /**
   * Origins (`https://app.example`) whose pages may call discovery, the token endpoint and the
   * FHIR API (CORS); undefined: the base URL's origin. Registered apps' origins are added to these.
   */
  corsOrigins?: string[];
  accessTokenTtlSeconds: number;
  /**
   * Password sign-in throttling (docs/AUTH.md): attempts counted per (account, client, address) and
   * per address in windows of `windowMinutes`; no account is ever locked by failed attempts.
   */
  loginThrottle: { maxFailures: number; maxFailuresPerAddress: number; windowMinutes: number };
  /** Requests per IP per window to the login form and the token endpoint. */
  rateLimit: { max: number; windowSeconds: number };
  bootstrapClient?: { clientId: string; clientSecret: string };
  /** Credentials `careweave user|org|client` use for the admin API when a server holds the embedded database. */
  adminClient?: { clientId: string; clientSecret: string };
  cis2?: UpstreamIdpConfig;
  nhsLogin?: UpstreamIdpConfig;
}

export class ConfigError extends Error {}

/**
 * Reads and validates `CAREWEAVE_*` settings. Throws a ConfigError naming every bad setting,
 * so a misconfigured deployment fails at start-up instead of on the first request.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(ENV_PREFIX) && value !== undefined && value !== '') {
      raw[key.slice(ENV_PREFIX.length)] = value;
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${ENV_PREFIX}${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const c = parsed.data;
  if (c.DATABASE_REPLICA_URLS?.length && !c.DATABASE_URL) {
    throw new ConfigError(
      `Invalid configuration:\n  ${ENV_PREFIX}DATABASE_REPLICA_URLS: read replicas need a PostgreSQL primary (${ENV_PREFIX}DATABASE_URL); the embedded database has none`,
    );
  }
  const port = c.PORT;
  const smsProblems: string[] = [];
  const sms = smsConfig(c, smsProblems);
  if (smsProblems.length) {
    throw new ConfigError(`Invalid configuration:\n${smsProblems.map((p) => `  ${p}`).join('\n')}`);
  }
  const baseUrl = (c.BASE_URL ?? `http://${c.HOST === '0.0.0.0' ? os.hostname() : c.HOST}:${port}`).replace(/\/$/, '');
  return {
    env: Object.fromEntries(Object.entries(raw).map(([key, value]) => [`${ENV_PREFIX}${key}`, value])),
    port,
    host: c.HOST,
    baseUrl,
    database: c.DATABASE_URL
      ? {
          kind: 'postgres',
          url: c.DATABASE_URL,
          poolSize: c.DATABASE_POOL_SIZE,
          statementTimeoutMs: c.STATEMENT_TIMEOUT_MS,
          ...(c.DATABASE_REPLICA_URLS?.length
            ? {
                replicas: {
                  urls: c.DATABASE_REPLICA_URLS,
                  maxLagBytes: c.DATABASE_REPLICA_MAX_LAG_BYTES,
                  maxLagMs: c.DATABASE_REPLICA_MAX_LAG_MS,
                  checkIntervalMs: c.DATABASE_REPLICA_CHECK_MS,
                },
              }
            : {}),
        }
      : { kind: 'pglite', dataDir: path.resolve(c.DATA_DIR) },
    demoData: c.DEMO_DATA,
    demoPatients: c.DEMO_PATIENTS,
    maxRequestBytes: c.MAX_REQUEST_BYTES,
    maxJsonNodes: c.MAX_JSON_NODES,
    hstsMaxAge: c.HSTS_MAX_AGE ?? (baseUrl.startsWith('https://') ? 31_536_000 : 0),
    logLevel: c.LOG_LEVEL,
    defaultPageSize: c.DEFAULT_PAGE_SIZE,
    maxPageSize: c.MAX_PAGE_SIZE,
    production: c.PRODUCTION,
    auditBufferMs: c.AUDIT_BUFFER_MS,
    jobConcurrency: c.JOB_CONCURRENCY,
    bulkExportExpiryHours: c.BULK_EXPORT_EXPIRY_HOURS,
    subscriptions: {
      timeoutMs: c.SUBSCRIPTION_TIMEOUT_MS,
      retryLimit: c.SUBSCRIPTION_RETRY_LIMIT,
      retryDelaySeconds: c.SUBSCRIPTION_RETRY_DELAY_SECONDS,
      allowedHosts: (c.SUBSCRIPTION_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
      allowPrivateNetworks: c.SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS,
      httpsOnly: c.PRODUCTION,
    },
    auth: authConfig(c, baseUrl),
    hl7v2: hl7v2Config(c),
    sms,
  };
}

function authConfig(c: z.output<typeof configSchema>, baseUrl: string): AuthConfig {
  const problems: string[] = [];
  if ((c.BOOTSTRAP_CLIENT_ID === undefined) !== (c.BOOTSTRAP_CLIENT_SECRET === undefined)) {
    problems.push(`${ENV_PREFIX}BOOTSTRAP_CLIENT_ID and ${ENV_PREFIX}BOOTSTRAP_CLIENT_SECRET must be set together`);
  }
  if (c.BOOTSTRAP_CLIENT_ID !== undefined && c.PRODUCTION) {
    problems.push(
      `${ENV_PREFIX}BOOTSTRAP_CLIENT_ID is set but ${ENV_PREFIX}PRODUCTION=true: the bootstrap client is for first set-up ` +
        'and development only; create a system client with `careweave client create` and remove it',
    );
  }
  const upstream = (
    prefix: 'CIS2' | 'NHS_LOGIN',
    issuer: string | undefined,
    clientId: string | undefined,
    clientSecret: string | undefined,
    privateKey: string | undefined,
    scopes: string,
  ): UpstreamIdpConfig | undefined => {
    if (issuer === undefined && clientId === undefined) {
      return undefined;
    }
    if (issuer === undefined || clientId === undefined || (clientSecret === undefined && privateKey === undefined)) {
      problems.push(
        `${ENV_PREFIX}${prefix}_ISSUER, ${ENV_PREFIX}${prefix}_CLIENT_ID and one of ${ENV_PREFIX}${prefix}_CLIENT_SECRET ` +
          `or ${ENV_PREFIX}${prefix}_PRIVATE_KEY must be set together`,
      );
      return undefined;
    }
    if (privateKey !== undefined) {
      try {
        JSON.parse(privateKey);
      } catch {
        problems.push(`${ENV_PREFIX}${prefix}_PRIVATE_KEY must be a private JWK as JSON`);
      }
    }
    return {
      issuer,
      clientId,
      scopes,
      ...(clientSecret !== undefined ? { clientSecret } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
    };
  };
  const webRedirectUris = (c.WEB_REDIRECT_URIS ?? `${baseUrl}/callback`)
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean);
  for (const uri of webRedirectUris) {
    if (!URL.canParse(uri)) {
      problems.push(`${ENV_PREFIX}WEB_REDIRECT_URIS: '${uri}' is not an absolute URL`);
    }
  }
  const corsOrigins = c.CORS_ORIGINS === undefined ? undefined : parseOrigins(c.CORS_ORIGINS, problems);
  const cis2 = upstream(
    'CIS2',
    c.CIS2_ISSUER,
    c.CIS2_CLIENT_ID,
    c.CIS2_CLIENT_SECRET,
    c.CIS2_PRIVATE_KEY,
    c.CIS2_SCOPES,
  );
  const nhsLogin = upstream(
    'NHS_LOGIN',
    c.NHS_LOGIN_ISSUER,
    c.NHS_LOGIN_CLIENT_ID,
    c.NHS_LOGIN_CLIENT_SECRET,
    c.NHS_LOGIN_PRIVATE_KEY,
    c.NHS_LOGIN_SCOPES,
  );
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return {
    trustProxy: c.TRUST_PROXY,
    webRedirectUris,
    ...(corsOrigins ? { corsOrigins } : {}),
    accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL,
    loginThrottle: {
      maxFailures: c.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: c.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowMinutes: c.LOGIN_LOCKOUT_MINUTES,
    },
    rateLimit: { max: c.AUTH_RATE_LIMIT, windowSeconds: c.AUTH_RATE_LIMIT_WINDOW_SECONDS },
    ...(c.BOOTSTRAP_CLIENT_ID !== undefined && c.BOOTSTRAP_CLIENT_SECRET !== undefined
      ? { bootstrapClient: { clientId: c.BOOTSTRAP_CLIENT_ID, clientSecret: c.BOOTSTRAP_CLIENT_SECRET } }
      : {}),
    ...(c.ADMIN_CLIENT_ID !== undefined && c.ADMIN_CLIENT_SECRET !== undefined
      ? { adminClient: { clientId: c.ADMIN_CLIENT_ID, clientSecret: c.ADMIN_CLIENT_SECRET } }
      : {}),
    ...(cis2 ? { cis2 } : {}),
    ...(nhsLogin ? { nhsLogin } : {}),
  };
}

/**
 * `CAREWEAVE_CORS_ORIGINS`: comma-separated origins, each exactly `scheme://host[:port]` (what a
 * browser sends in `Origin`: no path, no trailing slash). `*` is refused: every origin would
 * include any page on the web, and the allowed list is what keeps a stolen token's use inside
 * the apps this deployment trusts.
 */
function parseOrigins(value: string, problems: string[]): string[] {
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    const parsed = URL.parse(origin);
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      problems.push(
        `${ENV_PREFIX}CORS_ORIGINS: '${origin}' is not an origin: give scheme://host[:port] with no path, e.g. https://app.example.org`,
      );
    }
  }
  return origins;
}
