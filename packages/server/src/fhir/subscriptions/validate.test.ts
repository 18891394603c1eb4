import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.ts';
import { endpointProblem, parseHeaders } from './validate.ts';

const rules = (env: Record<string, string>) => loadConfig(env).subscriptions;

describe('endpoint rules', () => {
  it('allows no endpoint at all until CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS is set', () => {
    const defaults = rules({});
    expect(defaults.allowedHosts).toEqual([]);
    expect(defaults.allowPrivateNetworks).toBe(false);
    for (const endpoint of ['https://example.org/hook', 'http://127.0.0.1:9000/x', 'http://169.254.169.254/latest']) {
      expect(endpointProblem(endpoint, defaults)).toEqual({
        code: 'business-rule',
        message: expect.stringMatching(/CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS/),
      });
    }
  });

  it('limits hosts to CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS (host or host:port, or * for any)', () => {
    const listed = rules({ CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: 'Alerts.example.nhs.uk, hooks.example.org:9000' });
    expect(endpointProblem('https://alerts.example.nhs.uk/hook', listed)).toBeUndefined();
    expect(endpointProblem('http://hooks.example.org:9000/x', listed)).toBeUndefined();
    expect(endpointProblem('http://hooks.example.org:9001/x', listed)?.message).toMatch(
      /not one this server delivers to/,
    );
    expect(endpointProblem('https://evil.example/hook', listed)?.message).toMatch(/not one this server delivers to/);
    const any = rules({ CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*' });
    expect(endpointProblem('https://evil.example/hook', any)).toBeUndefined();
    expect(endpointProblem('http://93.184.215.14/hook', any)).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1:9000/x', 'loopback'],
    ['http://[::1]:9000/x', 'loopback'],
    ['http://localhost.:9000/x', 'loopback name (checked when resolved)'],
    ['http://10.1.2.3/x', 'RFC 1918'],
    ['http://172.16.0.9/x', 'RFC 1918'],
    ['http://192.168.1.20/x', 'RFC 1918'],
    ['http://[fd12:3456::1]/x', 'unique local'],
    ['http://[fe80::1]/x', 'link-local'],
    ['http://169.254.10.10/x', 'link-local'],
    ['http://0.0.0.0/x', 'this host'],
    ['http://2130706433/x', 'loopback written as a number'],
    ['http://[::ffff:127.0.0.1]/x', 'IPv4-mapped loopback'],
  ])('refuses %s (%s) unless private networks are allowed', (endpoint, _why) => {
    const strict = rules({ CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*' });
    const open = rules({
      CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*',
      CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    if (endpoint.includes('localhost')) {
      // A name: its addresses are checked at delivery (endpoint-request.test.ts).
      expect(endpointProblem(endpoint, strict)).toBeUndefined();
      return;
    }
    expect(endpointProblem(endpoint, strict)).toEqual({
      code: 'business-rule',
      message: expect.stringMatching(/loopback, link-local or private.*ALLOW_PRIVATE_NETWORKS=true/),
    });
    expect(endpointProblem(endpoint, open)).toBeUndefined();
  });

  it('always refuses cloud metadata addresses, even with private networks allowed', () => {
    const open = rules({
      CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*',
      CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    for (const endpoint of [
      'http://169.254.169.254/latest/meta-data',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:a9fe:a9fe]/',
    ]) {
      expect(endpointProblem(endpoint, open)?.message).toMatch(/metadata/);
    }
  });

  it('refuses what is not an http(s) URL (invalid), http in production and credentials', () => {
    const any = rules({ CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*' });
    expect(endpointProblem('ftp://example.org/x', any)?.code).toBe('invalid');
    expect(endpointProblem('/hook', any)?.code).toBe('invalid');
    expect(endpointProblem('https://user:pw@example.org/hook', any)?.message).toMatch(/credentials/);
    const production = rules({ CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*', CAREWEAVE_PRODUCTION: 'true' });
    expect(endpointProblem('http://example.org/hook', production)).toEqual({
      code: 'business-rule',
      message: expect.stringMatching(/https/),
    });
    expect(endpointProblem('https://example.org/hook', production)).toBeUndefined();
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
