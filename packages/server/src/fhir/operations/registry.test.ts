import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { defineOperation } from './define.ts';
import { registerOperations } from './registry.ts';

describe('operation registry', () => {
  it('treats an async handler that answered itself and returned the reply as answered (no error logged)', async () => {
    // A Fastify reply is a thenable: `return reply` from an async handler resolves to undefined.
    const logged: { level: number; msg?: string }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString()) as { level: number; msg?: string });
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream } });
    const kickOff = defineOperation({
      code: 'kick-off',
      name: 'KickOff',
      title: 'Kick off',
      description: 'Answers 202 itself, as `$export` does.',
      levels: ['system'],
      affectsState: false,
      methods: ['GET'],
      parameters: [],
      scopes: [],
      handler: async ({ reply }) => {
        await Promise.resolve();
        return reply.code(202).header('content-location', '/status/1').send();
      },
    });
    registerOperations(app, {}, [kickOff]);
    const response = await app.inject({ method: 'GET', url: '/$kick-off' });
    expect(response.statusCode).toBe(202);
    await app.close();
    expect(logged.filter((entry) => entry.level >= 50)).toEqual([]);
  });
});
