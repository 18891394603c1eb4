import { resourceFromXml } from '../fhir/xml/from-xml.ts';
import type { Bundle } from '@medplum/fhirtypes';
import { Rng, type FhirResource } from '../seed/index.ts';
import { SequentialClient } from './http.ts';
import { EVERYTHING_PATIENT_ID } from './load.ts';
import { summarize, type LatencySummary } from './stats.ts';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/** Real values from the loaded data that searches pick from at random. */
export interface SearchSample {
  patientIds: string[];
  nhsNumbers: string[];
  families: string[];
}

/**
 * Watches the seeded patients stream past while they are loaded: keeps every Patient id (for
 * reads) and a uniform random sample of patients (reservoir sampling) for search values. This
 * needs no SQL against the storage tables, so it survives schema changes.
 */
export class SampleCollector {
  readonly patientIds: string[] = [];
  private readonly reservoir: FhirResource[] = [];
  private readonly rng: Rng;
  private readonly size: number;

  constructor(size: number, seed: number) {
    this.size = size;
    this.rng = new Rng(seed, 11);
  }

  *tap(source: Iterable<FhirResource[]>): Generator<FhirResource[]> {
    for (const resources of source) {
      const patient = resources[0];
      if (patient?.resourceType === 'Patient') {
        this.add(patient);
      }
      yield resources;
    }
  }

  private add(patient: FhirResource): void {
    this.patientIds.push(patient.id);
    const seen = this.patientIds.length;
    if (this.reservoir.length < this.size) {
      this.reservoir.push(patient);
    } else {
      const slot = this.rng.int(seen);
      if (slot < this.size) {
        this.reservoir[slot] = patient;
      }
    }
  }

  sample(): SearchSample {
    const sample: SearchSample = { patientIds: [], nhsNumbers: [], families: [] };
    for (const patient of this.reservoir as PatientLike[]) {
      sample.patientIds.push(patient.id);
      const nhs = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
      if (nhs) {
        sample.nhsNumbers.push(nhs);
      }
      const family = patient.name?.[0]?.family;
      if (family) {
        sample.families.push(family);
      }
    }
    return sample;
  }
}

interface PatientLike {
  id: string;
  identifier?: { system?: string; value?: string }[];
  name?: { family?: string }[];
}

export interface SearchDefinition {
  name: string;
  /** The query with placeholders, for the report. */
  template: string;
  /** A query (relative to the FHIR base) with random real values. */
  query(rng: Rng, sample: SearchSample): string;
}

const pick = <T>(rng: Rng, values: readonly T[]): T => values[rng.int(values.length)]!;
const q = encodeURIComponent;

/** Encounters in the seed fall in the two years before 2026-11-01. */
const ENCOUNTER_WINDOW_START = Date.parse('2024-11-01T00:00:00Z');
const ENCOUNTER_WINDOW_DAYS = 730;
export const ENCOUNTER_RANGE_DAYS = 7;

export const SEARCHES: readonly SearchDefinition[] = [
  {
    name: 'observations-by-code-sorted',
    template: 'Observation?patient={id}&code=http://loinc.org|8867-4&_sort=-date',
    query: (rng, s) =>
      `Observation?patient=${q(pick(rng, s.patientIds))}&code=${q('http://loinc.org|8867-4')}&_sort=-date`,
  },
  {
    // Composite search (every part within one component): a patient's raised systolic readings.
    name: 'patient-high-systolic-composite',
    template: 'Observation?patient={id}&component-code-value-quantity=http://loinc.org|8480-6$gt140',
    query: (rng, s) =>
      `Observation?patient=${q(pick(rng, s.patientIds))}&component-code-value-quantity=${q('http://loinc.org|8480-6$gt140')}`,
  },
  {
    name: 'population-very-high-systolic-composite',
    template: 'Observation?component-code-value-quantity=http://loinc.org|8480-6$gt{180..199}&_count=20',
    query: (rng) =>
      `Observation?component-code-value-quantity=${q(`http://loinc.org|8480-6$gt${180 + rng.int(20)}`)}&_count=20`,
  },
  {
    name: 'patient-by-nhs-number',
    template: `Patient?identifier=${NHS_NUMBER_SYSTEM}|{nhs}`,
    query: (rng, s) => `Patient?identifier=${q(`${NHS_NUMBER_SYSTEM}|${pick(rng, s.nhsNumbers)}`)}`,
  },
  {
    name: 'patient-by-family',
    template: 'Patient?family={family}',
    query: (rng, s) => `Patient?family=${q(pick(rng, s.families))}`,
  },
  {
    name: 'encounters-by-date-range',
    template: `Encounter?date=ge{day}&date=lt{day+${ENCOUNTER_RANGE_DAYS}}&_count=20`,
    query: (rng) => {
      const start = ENCOUNTER_WINDOW_START + rng.int(ENCOUNTER_WINDOW_DAYS - ENCOUNTER_RANGE_DAYS) * 86_400_000;
      const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
      return `Encounter?date=ge${day(start)}&date=lt${day(start + ENCOUNTER_RANGE_DAYS * 86_400_000)}&_count=20`;
    },
  },
  {
    name: 'encounters-with-include',
    template: 'Encounter?patient={id}&_include=Encounter:service-provider',
    query: (rng, s) => `Encounter?patient=${q(pick(rng, s.patientIds))}&_include=${q('Encounter:service-provider')}`,
  },
];

export const EVERYTHING_QUERY = `Patient/${EVERYTHING_PATIENT_ID}/$everything`;

export interface SequentialResult {
  name: string;
  template: string;
  iterations: number;
  latency: LatencySummary;
  /** Mean number of entries per response (matches + includes). */
  meanEntries: number;
  meanMatches: number;
  /** The slowest request, and one at about the median, for EXPLAIN. */
  slowest: { query: string; ms: number };
  median: { query: string; ms: number };
}

/**
 * Runs `query()` `iterations` times (or until `maxSeconds`, but at least 20 times), one request
 * at a time, over HTTP (after `warmup` untimed requests). Any non-200 answer fails the benchmark: a fast error is not a result.
 */
export async function runSequential(
  baseUrl: string,
  fhirPath: string,
  definition: { name: string; template: string; query: () => string },
  options: { iterations: number; warmup: number; maxSeconds?: number; headers: Record<string, string> },
): Promise<SequentialResult> {
  const client = new SequentialClient(baseUrl, options.headers);
  try {
    const timings: { query: string; ms: number }[] = [];
    let entries = 0;
    let matches = 0;
    const deadline = options.maxSeconds ? performance.now() + options.maxSeconds * 1000 : Infinity;
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      if (i > options.warmup + 20 && performance.now() > deadline) {
        break; // A slow search gets fewer (but at least 20) requests, so the whole run stays bounded.
      }
      const query = definition.query();
      const answer = await client.get(`${fhirPath}/${query}`);
      if (answer.status !== 200) {
        throw new Error(`${definition.name}: GET ${query} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      }
      if (i < options.warmup) {
        continue;
      }
      timings.push({ query, ms: answer.ms });
      const bundle = (answer.body.startsWith('<') ? resourceFromXml(answer.body) : JSON.parse(answer.body)) as Bundle;
      entries += bundle.entry?.length ?? 0;
      matches += bundle.entry?.filter((e) => e.search?.mode === 'match').length ?? 0;
    }
    const byTime = [...timings].sort((a, b) => a.ms - b.ms);
    const round = (t: { query: string; ms: number }): { query: string; ms: number } => ({
      query: t.query,
      ms: Math.round(t.ms * 100) / 100,
    });
    return {
      name: definition.name,
      template: definition.template,
      iterations: timings.length,
      latency: summarize(timings.map((t) => t.ms)),
      meanEntries: Math.round((entries / timings.length) * 10) / 10,
      meanMatches: Math.round((matches / timings.length) * 10) / 10,
      slowest: round(byTime[byTime.length - 1]!),
      median: round(byTime[Math.floor(byTime.length / 2)]!),
    };
  } finally {
    client.close();
  }
}
