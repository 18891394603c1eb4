import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parseScopeNeeds, registerScopedRoutes } from './api-scopes.ts';

const noAudit = { record: () => Promise.resolve() };

describe('parseScopeNeeds', () => {
  it.each([
    [['Task.rs'], ['Task.r', 'Task.s']],
    [
      ['*.c', 'CarePlan.cu'],
      ['*.c', 'CarePlan.c', 'CarePlan.u'],
    ],
  ])('%j → %j', (needs, expected) => {
    expect(parseScopeNeeds(needs).map((n) => `${n.resourceType}.${n.interaction}`)).toEqual(expected);
  });

  it.each(['Task', 'task.rs', 'Task.rx', 'user/Task.rs', 'Task.'])('refuses %s', (need) => {
    expect(() => parseScopeNeeds([need])).toThrow(/not a scope need/);
  });
});

describe('registerScopedRoutes', () => {
  it('fails at start-up when a module adds an /api route without declaring its scopes', async () => {
    const app = Fastify();
    await expect(
      registerScopedRoutes(
        app,
        'careless',
        undefined,
        (scope) => {
          scope.get('/api/careless/things', () => ({}));
        },
        noAudit,
      ),
    ).rejects.toThrow(/careless.*without declaring the scopes/);
    await app.close();
  });

  it('needs no declaration for webhooks, and lists the /api routes it guards', async () => {
    const app = Fastify();
    const routes = await registerScopedRoutes(
      app,
      'careful',
      { read: ['Task.rs'], write: ['Task.u'] },
      (scope) => {
        scope.post('/webhooks/careful/in', () => ({}));
        scope.get('/api/careful/tasks', () => ({}));
        scope.post('/api/careful/tasks', { config: { scopes: ['Task.c'] } }, () => ({}));
      },
      noAudit,
    );
    expect(routes.filter((r) => r.method !== 'HEAD')).toEqual([
      { method: 'GET', url: '/api/careful/tasks' },
      { method: 'POST', url: '/api/careful/tasks' },
    ]);
    await app.close();
  });
});
