import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const POSTGRES = { CAREWEAVE_DATABASE_URL: 'postgres://db.example.test/careweave' };

describe('hardening settings', () => {
  test('the statement timeout is 15 s by default and reaches the PostgreSQL settings', () => {
    expect(loadConfig(POSTGRES).database).toMatchObject({ kind: 'postgres', statementTimeoutMs: 15_000 });
    expect(loadConfig({ ...POSTGRES, CAREWEAVE_STATEMENT_TIMEOUT_MS: '0' }).database).toMatchObject({
      statementTimeoutMs: 0,
    });
  });

  test.each(['-1', 'soon', '1.5', '3600001'])('CAREWEAVE_STATEMENT_TIMEOUT_MS=%s is refused at start-up', (value) => {
    expect(() => loadConfig({ ...POSTGRES, CAREWEAVE_STATEMENT_TIMEOUT_MS: value })).toThrow(
      /CAREWEAVE_STATEMENT_TIMEOUT_MS/,
    );
  });

  test.each([
    ['an http base URL', {}, 0],
    ['an https base URL', { CAREWEAVE_BASE_URL: 'https://care.example.test' }, 31_536_000],
    ['https, turned off', { CAREWEAVE_BASE_URL: 'https://care.example.test', CAREWEAVE_HSTS_MAX_AGE: '0' }, 0],
    ['http, set', { CAREWEAVE_HSTS_MAX_AGE: '600' }, 600],
  ])('HSTS max-age with %s', (_name, env, expected) => {
    expect(loadConfig(env).hstsMaxAge).toBe(expected);
  });

  test('bad HSTS and node-count settings are refused at start-up', () => {
    expect(() => loadConfig({ CAREWEAVE_HSTS_MAX_AGE: '-5' })).toThrow(ConfigError);
    expect(() => loadConfig({ CAREWEAVE_MAX_JSON_NODES: '10' })).toThrow(/CAREWEAVE_MAX_JSON_NODES/);
    expect(loadConfig({}).maxJsonNodes).toBe(100_000);
  });
});

describe('CORS origins', () => {
  test('default to none configured (the base URL origin is added by the policy)', () => {
    expect(loadConfig({}).auth.corsOrigins).toBeUndefined();
  });

  test('are read as a comma-separated list of origins', () => {
    expect(
      loadConfig({ CAREWEAVE_CORS_ORIGINS: 'https://app.example.org, http://localhost:3000' }).auth.corsOrigins,
    ).toEqual(['https://app.example.org', 'http://localhost:3000']);
  });

  test.each(['*', 'https://app.example.org/', 'https://app.example.org/path', 'app.example.org', 'ftp://x.example'])(
    'refuse %s at start-up',
    (value) => {
      expect(() => loadConfig({ CAREWEAVE_CORS_ORIGINS: value })).toThrow(/CAREWEAVE_CORS_ORIGINS/);
    },
  );
});
