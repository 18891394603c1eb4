import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/open.ts';
import { createPlatform } from '../http/app.ts';
import { aucWithCi } from '../population-health/model/metrics.ts';
import { publishedModel, DEFAULT_MODEL } from '../population-health/model/registry.ts';
import { ScoringService } from '../population-health/scoring/scoring.service.ts';
import { fitModel } from '../population-health/validate/fit.ts';
import { historiesFromDatabase, historiesFromGenerator, recordEnd } from '../population-health/validate/population.ts';
import { reportMarkdown } from '../population-health/validate/report.ts';
import { isHeldOut, validate } from '../population-health/validate/validate.ts';
import type { PatientHistory } from '../population-health/history/history.ts';
import {
  DEFAULT_NOW,
  emergencyAdmissionProbability,
  featuresFromPatientResources,
  generatePatients,
} from '../seed/index.ts';
import { progress } from './progress.ts';
import { positiveInt } from './seed.command.ts';

interface PopulationOptions {
  generate?: number;
  seed: number;
  asOf?: string;
}

interface Population {
  histories: PatientHistory[];
  dataEnd: Date;
  name: string;
  /** Generated populations only: the hidden model's probability per patient (the best any model could do). */
  truth?: Map<string, number>;
}

async function loadPopulation(options: PopulationOptions): Promise<Population> {
  if (options.generate !== undefined) {
    const n = options.generate;
    const bar = progress('Generating patients', n);
    const truth = new Map<string, number>();
    const now = new Date(DEFAULT_NOW);
    function* withTruth(): Generator<Resource[]> {
      for (const resources of generatePatients({ patients: n, seed: options.seed, now })) {
        const id = resources[0]!.id;
        truth.set(id, emergencyAdmissionProbability(featuresFromPatientResources(resources, now)));
        yield resources as unknown as Resource[];
      }
    }
    const histories = historiesFromGenerator(withTruth(), n, (done) => bar.update(done));
    bar.stop();
    return { histories, dataEnd: now, name: `synthetic seed ${options.seed}, generated in memory`, truth };
  }
  const config = loadConfig();
  const db = await openDatabase(config.database, { holder: 'risk' });
  try {
    let bar: ReturnType<typeof progress> | undefined;
    const histories = await historiesFromDatabase(db, (done, total) => {
      bar ??= progress('Reading records', total);
      bar.update(done);
    });
    bar?.stop();
    const dataEnd = options.asOf ? new Date(`${options.asOf}T00:00:00Z`) : recordEnd(histories);
    return { histories, dataEnd, name: `the record in ${config.database.kind === 'pglite' ? 'PGlite' : 'PostgreSQL'}` };
  } finally {
    await db.close();
  }
}

function truthLine(population: Population, indexDate: string): string {
  if (!population.truth) {
    return '';
  }
  const end = population.dataEnd.toISOString().slice(0, 10);
  const scores = population.histories
    .filter((h) => isHeldOut(h.patientId) && h.birthDate !== undefined && h.birthDate < indexDate)
    .map((h) => ({
      p: population.truth!.get(h.patientId) ?? 0,
      y: h.events.some((e) => e.kind === 'emergency-admission' && e.date >= indexDate && e.date < end)
        ? (1 as const)
        : (0 as const),
    }));
  const auc = aucWithCi(scores);
  return (
    `\n### The ceiling on this synthetic population\n\nThe generator's hidden emergency-admission function (docs/SEED.md), ` +
    `scored on the same held-out people, has AUC ${auc.auc.toFixed(3)} (${auc.lower.toFixed(3)}–${auc.upper.toFixed(3)}): ` +
    'no model can do better here, because admissions are drawn at random from it.\n'
  );
}

const populationOptions = (command: Command): Command =>
  command
    .option('-g, --generate <n>', 'generate n synthetic patients in memory instead of reading the database', (v) =>
      positiveInt(v, '--generate'),
    )
    .option('-s, --seed <n>', 'the synthetic seed with --generate', (v) => positiveInt(v, '--seed'), 1)
    .option('--as-of <date>', 'where the record ends (yyyy-mm-dd; default: the day after its latest contact)');

export function registerRiskCommand(program: Command): void {
  const risk = program
    .command('risk')
    .description('Emergency-admission risk model: validate, fit and score (docs/RISK-MODEL.md)');

  populationOptions(
    risk
      .command('validate')
      .description('Fit on one period, test on a later one and on held-out people; print the report'),
  )
    .option('--json', 'print the report as JSON instead of Markdown')
    .option('-o, --out <file>', 'also write the Markdown report to a file')
    .addHelpText(
      'after',
      '\nExamples:\n  careweave risk validate                       # the population in the database\n' +
        '  careweave risk validate --generate 30000 --seed 42   # a larger synthetic population\n',
    )
    .action(async (options: PopulationOptions & { json?: boolean; out?: string }) => {
      const population = await loadPopulation(options);
      const report = validate(population.histories, {
        dataEnd: population.dataEnd,
        population: population.name,
        published: publishedModel(DEFAULT_MODEL),
      });
      const markdown = reportMarkdown(report) + truthLine(population, report.splitSample.indexDate);
      if (options.out) {
        writeFileSync(options.out, markdown);
      }
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : markdown);
    });

  populationOptions(
    risk.command('fit').description('Fit a new model version on a whole population and write it as JSON'),
  )
    .requiredOption('--model-version <version>', 'the new version, e.g. ea12-v2 (never reuse one)')
    .requiredOption(
      '-o, --out <file>',
      'where to write the model (src/population-health/model/versions/<version>.json)',
    )
    .action(async (options: PopulationOptions & { modelVersion: string; out: string }) => {
      const population = await loadPopulation(options);
      const model = fitModel(population.histories, {
        dataEnd: population.dataEnd,
        version: options.modelVersion,
        title: 'Emergency admission in the next 12 months',
        population: population.name,
      });
      writeFileSync(options.out, `${JSON.stringify(model, null, 2)}\n`);
      process.stdout.write(
        `Wrote ${model.version}: fitted on ${model.fittedOn.patients} people (${model.fittedOn.admitted} admitted).\n`,
      );
    });

  risk
    .command('score')
    .description('Score every patient in the database now with the active model (what the nightly job does)')
    .action(async () => {
      const config = loadConfig();
      const db = await openDatabase(config.database, { holder: 'risk' });
      try {
        const platform = createPlatform(config, db);
        const scoring = new ScoringService(db, platform.resources);
        let read: ReturnType<typeof progress> | undefined;
        await scoring.refreshHistories((done, total) => (read ??= progress('Reading records', total)).update(done));
        read?.stop();
        let bar: ReturnType<typeof progress> | undefined;
        const summary = await scoring.scoreAll(
          publishedModel(process.env['CAREWEAVE_POPULATION_HEALTH_MODEL'] ?? DEFAULT_MODEL),
          {
            onProgress: (done, total) => (bar ??= progress('Scoring', total)).update(done),
          },
        );
        bar?.stop();
        process.stdout.write(
          `Scored ${summary.patients} patients in ${summary.seconds.toFixed(1)} s; ${summary.assessmentsWritten} RiskAssessments written; ` +
            `bands: ${JSON.stringify(summary.bands)}.\n`,
        );
      } finally {
        await db.close();
      }
    });
}
