import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, FHIR_BASE } from './client.ts';

function sentHeaders(): Record<string, string> {
  const fetchMock = vi.mocked(globalThis.fetch);
  return fetchMock.mock.calls[0]![1]!.headers as Record<string, string>;
}

describe('api', () => {
  afterEach(() => vi.unstubAllGlobals());

  function stubFetch(): void {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response('{"resourceType":"Bundle"}', { status: 200 }))),
    );
  }

  it("asks for strict handling on the app's own FHIR searches, so a mistyped parameter is an error", async () => {
    stubFetch();
    await api(`${FHIR_BASE}/Patient?name=Ward`);
    expect(sentHeaders().prefer).toBe('handling=strict');
  });

  it('leaves reads, writes and module APIs as they are', async () => {
    for (const [path, method] of [
      [`${FHIR_BASE}/Patient/p1`, 'GET'],
      [`${FHIR_BASE}/Patient?name=Ward`, 'POST'],
      ['/api/notifications?status=unread', 'GET'],
    ] as const) {
      stubFetch();
      await api(path, { method });
      expect(sentHeaders().prefer).toBeUndefined();
      vi.unstubAllGlobals();
    }
  });

  it('keeps a Prefer header the caller chose', async () => {
    stubFetch();
    await api(`${FHIR_BASE}/Patient?name=Ward`, { headers: { prefer: 'handling=lenient' } });
    expect(sentHeaders().prefer).toBe('handling=lenient');
  });
});
