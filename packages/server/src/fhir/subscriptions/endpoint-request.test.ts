import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEndpoint, DeliveryFailed, EndpointRefused, postToEndpoint, type Resolver } from './endpoint-request.ts';
import { startReceiver, type Receiver } from './testing/receiver.ts';

/** A DNS that answers what the test says, whatever the real one would. */
const dns =
  (answers: Record<string, string[]>): Resolver =>
  (hostname) => {
    const addresses = answers[hostname];
    if (!addresses) {
      return Promise.reject(Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    }
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

const post = { headers: [['content-type', 'application/fhir+json']] as [string, string][], timeoutMs: 5000 };

describe('endpoint addresses at delivery (DNS rebinding)', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('refuses a public-looking name that resolves into the server’s networks, before connecting', async () => {
    const port = new URL(receiver.url).port;
    const rebinding = dns({ 'hooks.example.org': ['127.0.0.1'], 'split.example.org': ['93.184.215.14', '10.0.0.7'] });
    await expect(checkEndpoint(`http://hooks.example.org:${port}/hook`, false, rebinding)).rejects.toThrow(
      new EndpointRefused(
        'channel.endpoint hooks.example.org resolves to 127.0.0.1 is a loopback, link-local or private address; ' +
          'this server delivers to those only with CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS=true',
      ),
    );
    // One private address among public ones is enough to refuse.
    await expect(checkEndpoint('https://split.example.org/hook', false, rebinding)).rejects.toBeInstanceOf(
      EndpointRefused,
    );
    await expect(checkEndpoint('http://[::ffff:169.254.169.254]/', true, rebinding)).rejects.toThrow(/metadata/);
    await expect(checkEndpoint('https://gone.example.org/hook', false, rebinding)).rejects.toBeInstanceOf(
      DeliveryFailed,
    );
    expect(receiver.attempts).toBe(0);
  });

  it('connects to the address it checked, not to a second lookup of the name', async () => {
    const port = new URL(receiver.url).port;
    // The name does not exist in real DNS: only the checked address can have been used.
    const checked = await checkEndpoint(
      `http://hooks.invalid:${port}/hook`,
      true,
      dns({ 'hooks.invalid': ['127.0.0.1'] }),
    );
    expect(checked.address).toBe('127.0.0.1');
    const body = JSON.stringify({
      resourceType: 'Bundle',
      type: 'history',
      entry: [{ resource: { resourceType: 'Parameters', parameter: [] } }],
    });
    const controller = new AbortController();
    expect(await postToEndpoint(checked, { ...post, body, signal: controller.signal })).toBe(200);
    expect(receiver.attempts).toBe(1);
    expect(receiver.notifications[0]!.headers.host).toBe(`hooks.invalid:${port}`);
    receiver.respondWith(302);
    expect(await postToEndpoint(checked, { ...post, body, signal: controller.signal })).toBe(302);
  });
});
