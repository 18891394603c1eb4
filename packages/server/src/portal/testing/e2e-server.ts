/**
 * The server the web app's end-to-end tests drive (`npm test -w @careweave/web`): `careweave
 * start` plus what a browser test needs to know in advance. On a fresh database it loads the demo
 * population, publishes the demo appointment slots, adds one patient with about 1,000 resources
 * (for the record-summary timing), creates the demo sign-ins with a known password (and a GP at
 * (demo.patient is registered at demo.gp's practice and has a repeat prescription to order), then
 * listens and prints one JSON line: `{"ready":true,"baseUrl":…,"logins":[…],"bigPatientId":…,"demoPatientId":…}`.
 *
 * Environment: the usual CAREWEAVE_* settings; CAREWEAVE_E2E_PASSWORD is the demo password.
 * CAREWEAVE_E2E_SEED_ONLY=true seeds the database and exits without listening: the browser tests seed
 * one template per population size and start each test file's server on a copy of it (seeding is
 * most of a start-up; the seed process also runs the modules' start, as a first start would, and work
 * it queued is done when the copy starts).
 */
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../../config/config.ts';
import { openDatabase } from '../../db/open.ts';
import { buildApp, createPlatform } from '../../http/app.ts';
import { DEMO_SEED, ensureDemoData } from '../../platform/demo-data.ts';
import { ensureDemoAgreement } from '../../platform/demo-agreement.ts';
import { bigPatientResources, BIG_PATIENT_ID } from './big-patient.ts';
import { demoLogins, demoPatientId, portalFixtures } from './fixtures.ts';

const config = loadConfig();
const db = await openDatabase(config.database);
const platform = createPlatform(config, db);
const quiet = (): void => undefined;
await ensureDemoData(db, platform.resources, config.demoPatients, quiet);
await ensureDemoAgreement(platform);
const big = bigPatientResources(new Date());
await platform.resources.transaction((tx) =>
  tx.writeMany(big.map((resource) => ({ resource: resource as Resource, method: 'update' as const }))),
);
const password = process.env.CAREWEAVE_E2E_PASSWORD ?? 'correct-horse-battery-staple';
const logins = await demoLogins(platform, password);
await portalFixtures(platform);
const demoPatient = await demoPatientId(platform);
const app = await buildApp(platform);
await app.modules.seed({ seed: DEMO_SEED, log: quiet });
if (process.env.CAREWEAVE_E2E_SEED_ONLY === 'true') {
  // Ready runs what a first start runs after the seed (the job queue, then each module's start: the
  // practice-SMS demo texts are queued then); closing leaves queued work in the database for the copy.
  await app.ready();
  await app.close();
  await db.close();
  process.stdout.write(`${JSON.stringify({ seeded: true })}\n`);
  process.exit(0);
}
await app.listen({ port: config.port, host: config.host });
process.stdout.write(
  `${JSON.stringify({ ready: true, baseUrl: config.baseUrl, logins, bigPatientId: BIG_PATIENT_ID, demoPatientId: demoPatient, bigPatientResources: big.length })}\n`,
);
const shutdown = async (): Promise<void> => {
  await app.close();
  await db.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
