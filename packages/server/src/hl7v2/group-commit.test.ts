import { describe, expect, test } from 'vitest';
import { GroupCommit } from './group-commit.ts';

/** A transaction stand-in: records each batch, fails a batch holding any `bad` item. */
function recorder(options: { bad?: string[]; delayMs?: number } = {}) {
  const batches: string[][] = [];
  const apply = async (items: readonly string[]): Promise<string[]> => {
    batches.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
    if (items.some((item) => options.bad?.includes(item))) {
      throw new Error('batch failed');
    }
    return items.map((item) => `ack ${item}`);
  };
  return { batches, apply };
}

describe('GroupCommit', () => {
  test('what arrives while a batch runs shares the next transaction, in arrival order', async () => {
    const { batches, apply } = recorder();
    const commits = new GroupCommit({ apply, lanes: 1 });
    const acks = await Promise.all(['a', 'b', 'c', 'd'].map((item) => commits.submit('p', item)));
    expect(acks).toEqual(['ack a', 'ack b', 'ack c', 'ack d']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  test('a batch is at most maxBatch items', async () => {
    const { batches, apply } = recorder();
    const commits = new GroupCommit({ apply, lanes: 1, maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => commits.submit('p', item)));
    expect(batches.map((b) => b.length)).toEqual([1, 2, 2]);
  });

  test('one key always takes one lane, so its items are applied in order', async () => {
    const { batches, apply } = recorder();
    const commits = new GroupCommit({ apply, lanes: 4 });
    const items = Array.from({ length: 12 }, (_, i) => `x${i}`);
    await Promise.all(items.map((item) => commits.submit('same patient', item)));
    expect(batches.flat()).toEqual(items);
  });

  test('a failed batch is retried one item at a time: only the bad one fails', async () => {
    const { batches, apply } = recorder({ bad: ['c'] });
    const commits = new GroupCommit({ apply, lanes: 1 });
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((item) => commits.submit('p', item)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual([
      'ack a',
      'ack b',
      'failed',
      'ack d',
    ]);
    expect(batches).toEqual([['a'], ['b', 'c', 'd'], ['b'], ['c'], ['d']]);
  });

  test('nothing is resolved before its batch has been applied', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commits = new GroupCommit<string, string>({
      apply: async (items) => {
        await gate;
        return [...items];
      },
    });
    let settled = false;
    const pending = commits.submit('p', 'a').then((value) => ((settled = true), value));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    release();
    expect(await pending).toBe('a');
  });
});
