/**
 * The access policy (src/access/, SQL) against the reference model (model.ts, plain TypeScript,
 * written from docs/ACCESS.md alone): random worlds are written into one database through the
 * access module's public API (FHIR writes with the access hooks, the agreements service, the
 * break-glass service), then for every actor every resource is read by id and searched for by
 * type, and the server must return exactly what the model allows. A second property does the same
 * for writes (create, update, delete, each rolled back).
 *
 * Environment: CAREWEAVE_POLICY_RUNS (worlds for the read property), CAREWEAVE_POLICY_SEED, and
 * CAREWEAVE_POLICY_AMBIGUOUS=1 to generate also what the spec leaves open (see generate.ts; the
 * server and the model are then expected to disagree where they read the spec differently).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../../testing/database.ts';
import { worldArbitrary, type GenerateOptions, type GeneratedWorld } from './generate.ts';
import {
  clearDatabase,
  compareLabels,
  compareReads,
  compareWrites,
  createHarness,
  describeWorld,
  explain,
  loadWorld,
  minimise,
  type Comparison,
  type Harness,
  type LoadedWorld,
} from './harness.ts';
import { allResources } from './model.ts';

const FHIR_BASE = 'http://careweave.test/fhir/R4';
const POSTGRES = testDatabaseKind() === 'postgres';
/** Read decision cases (actor, resource) to compare per database, at least. */
const MIN_READ_CASES = 10_000;
/**
 * Worlds (~550 read cases each; ~1.5 s a world on PGlite or PostgreSQL on an idle machine). Each
 * property also stops taking new worlds after a time limit, to keep a database's run under 3 min.
 */
const READ_RUNS = Number(process.env.CAREWEAVE_POLICY_RUNS ?? 50);
const WRITE_RUNS = POSTGRES ? 10 : 6;
/** Time to shrink a counterexample. */
const MINIMISE_MS = 90_000;
const SEED = process.env.CAREWEAVE_POLICY_SEED ? Number(process.env.CAREWEAVE_POLICY_SEED) : undefined;

const OPTIONS: Omit<GenerateOptions, 'now'> = {
  fhirBase: FHIR_BASE,
  maxOrganisations: 7,
  maxPatients: 5,
  minClinical: 15,
  maxClinical: 40,
  breakGlass: 'any',
  ambiguous: process.env.CAREWEAVE_POLICY_AMBIGUOUS === '1',
};

const day = (d: Date): string => d.toISOString().slice(0, 10);

interface Totals {
  worlds: number;
  cases: number;
  allowed: number;
  labels: number;
  /** Later changes (revocations, status changes, deletions) applied to the worlds. */
  changes: number;
  loadingMs: number;
  rules: Map<string, number>;
}

function report(title: string, totals: Totals, started: number): string {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return (
    `[${testDatabaseKind()}] ${title}: ${totals.cases} decision cases over ${totals.worlds} worlds ` +
    `with ${totals.changes} later changes (${totals.allowed} allowed)${totals.labels ? `, plus ${totals.labels} source-organisation labels` : ''}: ` +
    `0 disagreements in ${seconds}s (${(totals.loadingMs / 1000).toFixed(1)}s loading worlds)\n` +
    [...totals.rules]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([rule, n]) => `${String(n).padStart(7)}  ${rule}`)
      .join('\n')
  );
}

describe(`access policy agrees with the reference model (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let harness: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = createHarness(database.db, FHIR_BASE);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /**
   * Loads each generated world into the (emptied) database and runs `compare`. On a disagreement,
   * shrinks the world to what that disagreement needs and fails with it explained.
   */
  async function check(
    runs: number,
    timeLimitMs: number,
    compare: (loaded: LoadedWorld, generated: GeneratedWorld, now: Date) => Promise<Comparison>,
    minCases = 0,
  ): Promise<Totals> {
    const generatedAt = new Date();
    const deadline = Date.now() + timeLimitMs;
    // On a busy machine the time limit alone would leave too few cases: go on until there are
    // `minCases`, but never past five times the limit.
    const hardDeadline = Date.now() + 5 * timeLimitMs;
    const totals: Totals = { worlds: 0, cases: 0, allowed: 0, labels: 0, changes: 0, loadingMs: 0, rules: new Map() };
    await fc.assert(
      fc.asyncProperty(worldArbitrary({ ...OPTIONS, now: generatedAt }), async (generated) => {
        if (Date.now() > hardDeadline || (Date.now() > deadline && totals.cases >= minCases)) {
          return; // Out of time: the remaining runs pass without a world (counted in `totals`).
        }
        // Worlds are dated relative to the (UTC) day they were generated on.
        fc.pre(day(new Date()) === day(generatedAt));
        const t0 = Date.now();
        await clearDatabase(harness.db);
        const loaded = await loadWorld(harness, generated);
        totals.loadingMs += Date.now() - t0;
        const comparison = await compare(loaded, generated, new Date());
        fc.pre(day(new Date()) === day(generatedAt));
        totals.worlds++;
        totals.cases += comparison.cases;
        totals.allowed += comparison.allowed;
        totals.labels += comparison.labelChecks;
        totals.changes += generated.changes.length;
        for (const [rule, n] of comparison.rules) {
          totals.rules.set(rule, (totals.rules.get(rule) ?? 0) + n);
        }
        const [first] = comparison.disagreements;
        if (first) {
          const shrunk = await minimise(
            harness,
            generated,
            first,
            async (l, g, now) => (await compare(l, g, now)).disagreements,
            MINIMISE_MS,
          );
          throw new Error(
            `${comparison.disagreements.length} disagreement(s) between the server and the model in ` +
              `${comparison.cases} cases. The first, in a world shrunk to what it needs ` +
              `(${shrunk.attempts} database loads):\n\n` +
              explain(shrunk.loaded?.world ?? loaded.world, shrunk.disagreement) +
              `\n\nshrunk world:\n${describeWorld(shrunk.generated)}` +
              (comparison.disagreements.length > 1
                ? `\n\nothers (unshrunk):\n${comparison.disagreements
                    .slice(1, 4)
                    .map((d) => explain(loaded.world, d))
                    .join('\n\n')}`
                : ''),
          );
        }
      }),
      {
        numRuns: runs,
        maxSkipsPerRun: 2,
        // The property shrinks its own counterexample (fast-check would regenerate whole worlds).
        // No interruptAfterTimeLimit: it abandons a running world, which then races the next one.
        endOnFailure: true,
        ...(SEED !== undefined ? { seed: SEED } : {}),
      },
    );
    return totals;
  }

  it('on every read and search', { timeout: 900_000 }, async () => {
    const started = Date.now();
    const totals = await check(
      READ_RUNS,
      100_000,
      async (loaded, generated, now) => {
        const labels = compareLabels(loaded, FHIR_BASE, generated);
        const comparison = await compareReads(harness, loaded, now);
        comparison.labelChecks = allResources(generated.world).length;
        comparison.disagreements = [...labels, ...comparison.disagreements];
        return comparison;
      },
      MIN_READ_CASES,
    );
    console.log(report('reads (each case by read and by search)', totals, started));
    expect(totals.cases).toBeGreaterThanOrEqual(MIN_READ_CASES);
  });

  it('on every create, update and delete', { timeout: 300_000 }, async () => {
    const started = Date.now();
    // A third of the resources per actor; all of them when shrinking (one actor compared).
    const totals = await check(WRITE_RUNS, 35_000, (loaded, _generated, now) =>
      compareWrites(harness, loaded, now, loaded.actors.length === 1 ? 1 : 3),
    );
    console.log(report('writes (rolled back)', totals, started));
    expect(totals.cases).toBeGreaterThan(1_000);
  });
});
