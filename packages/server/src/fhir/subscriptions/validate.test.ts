import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.ts';
import { endpointProblem, parseHeaders } from './validate.ts';

describe('endpoint rules', () => {
  it('allows http and https by default, https only in production', () => {
    const open = loadConfig({}).subscriptions;
    const production = loadConfig({ CAREWEAVE_PRODUCTION: 'true' }).subscriptions;
    expect(endpointProblem('http://example.org/hook', open)).toBeUndefined();
    expect(endpointProblem('https://example.org/hook', open)).toBeUndefined();
    expect(endpointProblem('http://example.org/hook', production)).toMatch(/https/);
    expect(endpointProblem('https://example.org/hook', production)).toBeUndefined();
    expect(endpointProblem('https://user:pw@example.org/hook', open)).toMatch(/credentials/);
  });

  it('limits hosts to CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS (host or host:port)', () => {
    const rules = loadConfig({
      CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: 'Alerts.example.nhs.uk, 127.0.0.1:9000',
    }).subscriptions;
    expect(endpointProblem('https://alerts.example.nhs.uk/hook', rules)).toBeUndefined();
    expect(endpointProblem('http://127.0.0.1:9000/x', rules)).toBeUndefined();
    expect(endpointProblem('http://127.0.0.1:9001/x', rules)).toMatch(/not one this server delivers to/);
    expect(endpointProblem('https://evil.example/hook', rules)).toMatch(/not one this server delivers to/);
  });
});

describe('channel headers', () => {
  it('parses Name: value and refuses the headers the server sets', () => {
    expect(parseHeaders(['Authorization: Bearer x', 'X-Trace:1'])).toEqual([
      ['Authorization', 'Bearer x'],
      ['X-Trace', '1'],
    ]);
    expect(() => parseHeaders(['Content-Type: text/plain'])).toThrow(/may not set/);
    expect(() => parseHeaders(['X-Evil: a\r\nHost: b'])).toThrow(/Name: value/);
  });
});
