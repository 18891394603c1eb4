/**
 * The module contract end to end: a test module with settings, a migration, a FHIR operation, a
 * route, a reaction and demo data is set up by the same installer as the server's modules.
 */
import type { Observation } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requireStaff } from '../access/guards.ts';
import { defineOperation } from '../fhir/operations/define.ts';
import { registerOperations } from '../fhir/operations/registry.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { CARE_MODULES } from '../care-modules.ts';
import { defineModule, type ModuleContext } from './contract.ts';
import { installModules } from './install.ts';
import { migrateModules } from './migrations.ts';

const reacted: string[] = [];
const seeded: number[] = [];

const ECHO = defineOperation<{ context: ModuleContext<{ GREETING: string }> }>({
  code: 'greet',
  name: 'TestGreet',
  title: 'Greets',
  description: 'Answers with the configured greeting.',
  levels: ['system'],
  affectsState: false,
  parameters: [{ name: 'greeting', use: 'out', min: 1, max: 1, type: 'string' }],
  scopes: [],
  handler: ({ deps }) =>
    Promise.resolve({
      resourceType: 'Parameters',
      parameter: [{ name: 'greeting', valueString: deps.context.settings.GREETING }],
    }),
});

const testModule = defineModule({
  name: 'test-module',
  title: 'A test module',
  requires: ['sms'],
  settings: z.object({ GREETING: z.string().default('hello') }),
  migrations: [
    { version: 1, name: 'notes', sql: 'create table test_module_note (id serial primary key, text text not null)' },
    { version: 2, name: 'notes-author', sql: 'alter table test_module_note add column author text' },
  ],
  setup: (context) => ({
    fhir: (fhir) => registerOperations(fhir, { context }, [ECHO]),
    apiScopes: { read: ['Observation.rs'], write: ['Observation.c'] },
    routes: (app) => {
      app.post('/api/test-module/notes', async (request) => {
        const actor = requireStaff(context.actorOf(request), { doing: 'write notes' });
        return context.unitOfWork(actor, async (uow) => {
          await uow.lock('test-module:notes');
          const rows = await uow.tx.query<{ id: number }>(
            'insert into test_module_note (text, author) values ($1, $2) returning id',
            ['note', actor.userId],
          );
          return { id: rows[0]!.id, smsReady: typeof context.use('sms').queueSms === 'function' };
        });
      });
    },
    reactions: [
      {
        name: 'test-module.observation',
        types: ['Observation'],
        interactions: ['create'],
        handle: (event) => {
          reacted.push(event.resourceId);
          return Promise.resolve();
        },
      },
    ],
    seed: ({ seed }) => {
      seeded.push(seed);
      return Promise.resolve();
    },
  }),
});

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp(
    { CAREWEAVE_TEST_MODULE_GREETING: 'good morning' },
    { modules: [...CARE_MODULES, testModule] },
  );
  await t.app.ready();
});
afterAll(async () => t.close());

describe('a care module', () => {
  it('gets its own settings, and serves its operation with a published OperationDefinition', async () => {
    const greeting = await t.fhir('GET', '$greet');
    expect(greeting.status).toBe(200);
    expect(greeting.body.parameter[0].valueString).toBe('good morning');
    const definition = await t.fhir('GET', 'OperationDefinition/greet');
    expect(definition.body).toMatchObject({ resourceType: 'OperationDefinition', code: 'greet' });
    const capability = await t.fhir('GET', 'metadata');
    expect(JSON.stringify(capability.body)).toContain('OperationDefinition/greet');
  });

  it('migrates its own tables once, recorded as (module, version)', async () => {
    const rows = await t.platform.db.query<{ version: number }>(
      `select version from module_migration where module = 'test-module' order by version`,
    );
    expect(rows.map((row) => Number(row.version))).toEqual([1, 2]);
    expect(await migrateModules(t.platform.db, [testModule])).toEqual([]);
  });

  it('has routes whose guard fails closed', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/test-module/notes',
      headers: { authorization: '' },
    });
    expect(anonymous.statusCode).toBe(401);
    // The test client is a system, not staff: refused by the guard with an OperationOutcome.
    const system = await t.app.inject({ method: 'POST', url: '/api/test-module/notes' });
    expect(system.statusCode).toBe(403);
    expect(JSON.parse(system.body).issue[0].diagnostics).toMatch(/Only staff may write notes/);
  });

  it('reacts to committed writes', async () => {
    const created = await t.fhir('POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Pulse' },
    } satisfies Observation);
    expect(created.status).toBe(201);
    await expect.poll(() => reacted, { timeout: 15_000 }).toContain(created.body.id);
  });

  it('seeds its demo data through the installed modules', async () => {
    await t.app.modules.seed({ seed: 7, log: () => undefined });
    expect(seeded).toEqual([7]);
  });

  it('cannot be listed before a module it requires', async () => {
    await expect(installModules(t.app, t.platform, [testModule])).rejects.toThrow(/requires 'sms'/);
  });
});
