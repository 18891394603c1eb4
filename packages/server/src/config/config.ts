import { z } from 'zod';
import path from 'node:path';
import os from 'node:os';

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
  DEMO_DATA: booleanFromEnv.default(true),
  DEMO_PATIENTS: z.coerce.number().int().min(0).default(2000),
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(10000).default(1000),
  PRODUCTION: booleanFromEnv.default(false),
});

export type ConfigInput = z.input<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  /** Public base of the server, e.g. https://care.example.nhs.uk; the FHIR base is `${baseUrl}/fhir/R4`. */
  baseUrl: string;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; poolSize: number };
  demoData: boolean;
  demoPatients: number;
  maxRequestBytes: number;
  logLevel: string;
  defaultPageSize: number;
  maxPageSize: number;
  production: boolean;
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
  const port = c.PORT;
  return {
    port,
    host: c.HOST,
    baseUrl: (c.BASE_URL ?? `http://${c.HOST === '0.0.0.0' ? os.hostname() : c.HOST}:${port}`).replace(/\/$/, ''),
    database: c.DATABASE_URL
      ? { kind: 'postgres', url: c.DATABASE_URL, poolSize: c.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.resolve(c.DATA_DIR) },
    demoData: c.DEMO_DATA,
    demoPatients: c.DEMO_PATIENTS,
    maxRequestBytes: c.MAX_REQUEST_BYTES,
    logLevel: c.LOG_LEVEL,
    defaultPageSize: c.DEFAULT_PAGE_SIZE,
    maxPageSize: c.MAX_PAGE_SIZE,
    production: c.PRODUCTION,
  };
}
