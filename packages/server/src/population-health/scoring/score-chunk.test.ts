/**
 * A scoring run's outputs are the model's: the faster run (chunks scored on worker threads, column
 * arrays built directly) gives the same probabilities, bands, facts and factors as scoring each history
 * on its own, and the same as before it was made faster (a digest of a fixed synthetic population).
 */
import { createHash } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_NOW, patientGenerator } from '../../seed/index.ts';
import { factsAt } from '../features/features.ts';
import { decodeHistory, encodeHistory, type StoredHistoryRow } from '../history/codec.ts';
import { historyFromResources, type PatientHistory } from '../history/history.ts';
import { score } from '../model/model.ts';
import { publishedModel } from '../model/registry.ts';
import { numberArray, textArray } from './pg-arrays.ts';
import { scoreChunk } from './score-chunk.ts';
import { scoreColumns } from './score-columns.ts';
import { scoreHistory, type ScoreRow } from './score-history.ts';
import { scorePool } from './score-pool.ts';

const model = publishedModel('ea12-v1');
const generate = patientGenerator({ seed: 42, now: new Date(DEFAULT_NOW) });
const histories: PatientHistory[] = Array.from({ length: 2_000 }, (_, n) =>
  historyFromResources(generate(2_000_000 + n) as unknown as Resource[]),
);
const stored = (h: PatientHistory): StoredHistoryRow => ({
  patient_id: h.patientId,
  practice_id: h.practiceId ?? null,
  history: JSON.stringify(encodeHistory(h)),
});
const DATES = [new Date('2026-11-01T00:00:00Z'), new Date('2026-03-17T12:00:00Z')];

/** The reference: one history at a time, as scoring was written before runs were parallel. */
function referenceRow(h: PatientHistory, at: Date): ScoreRow {
  const dayEnd = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
  const facts = factsAt(h, dayEnd);
  const result = score(model, facts);
  return {
    patientId: h.patientId,
    ...(h.practiceId ? { practiceId: h.practiceId } : {}),
    probability: result.probability,
    band: result.band,
    facts,
    factors: result.factors,
  };
}

/** Every output of a score row, in a fixed order. */
const outputs = (r: ScoreRow): unknown[] => [
  r.patientId,
  r.practiceId ?? null,
  r.probability,
  r.band,
  r.facts.age,
  r.facts.sex,
  r.facts.imdDecile ?? null,
  r.facts.conditions,
  r.facts.emergencyAdmissions12m,
  r.facts.emergencyAdmissions30d,
  r.facts.aeAttendances12m,
  r.facts.outpatientAttendances12m,
  r.facts.repeatMedicines,
  r.facts.efi,
  r.facts.frailty,
  r.facts.redAlerts90d,
  r.facts.cost12m,
  r.factors.map((f) => [f.feature, f.words, f.logOdds]),
];

describe('scoring outputs', () => {
  it('are those of ea12-v1 before runs were made faster (2,000 synthetic patients at two dates)', () => {
    const all: unknown[] = [];
    for (const at of DATES) {
      for (const h of histories) {
        const decoded = decodeHistory(h.patientId, h.practiceId ?? null, JSON.parse(JSON.stringify(encodeHistory(h))));
        if (!decoded.deceased) {
          all.push(outputs(scoreHistory(model, decoded, at)));
        }
      }
    }
    // Computed with the scoring code of commit d2bf23f (one history at a time, before the changes).
    expect(all.length).toBe(4_000);
    expect(createHash('sha256').update(JSON.stringify(all)).digest('hex')).toBe(
      'f64275c4e894a02d2243b01396a6f388488bafeca45032540d8a067e56b6dbcf',
    );
  });

  it.each(DATES)('of a chunk equal the reference, row by row, at %s', (at) => {
    const chunk = scoreChunk(model, at, histories.map(stored), { keepRows: true });
    const living = histories.filter((h) => !h.deceased);
    expect(chunk.scored).toBe(living.length);
    expect(chunk.rows!.map(outputs)).toEqual(living.map((h) => outputs(referenceRow(h, at))));
    expect(chunk.columns).toEqual(scoreColumns(living.map((h) => referenceRow(h, at))));
    const bands = { 'very-high': 0, high: 0, moderate: 0, low: 0 };
    for (const row of chunk.rows!) {
      bands[row.band]++;
    }
    expect(chunk.bands).toEqual(bands);
  });

  describe('on worker threads', () => {
    const pool = scorePool(model, DATES[0]!, { threads: 2, keepRows: true });
    afterAll(() => pool.close());

    it('are the same as on the calling thread, chunk by chunk', async () => {
      const chunks = [0, 500, 1_000, 1_500].map((from) => histories.slice(from, from + 500).map(stored));
      const threaded = await Promise.all(chunks.map((rows) => pool.score(rows)));
      expect(threaded).toEqual(chunks.map((rows) => scoreChunk(model, DATES[0]!, rows, { keepRows: true })));
    });

    it('fail the chunk, not the process, when a history cannot be read', async () => {
      await expect(pool.score([{ patient_id: 'x', practice_id: null, history: '{not json' }])).rejects.toThrow(
        /scoring worker failed/,
      );
      expect((await pool.score([stored(histories[0]!)])).scored).toBe(1);
    });
  });
});

describe('array literals', () => {
  it.each([
    [[], '{}'],
    [[1, 2.5, null, 0.1 + 0.2, 1e-7, -3], '{1,2.5,NULL,0.30000000000000004,1e-7,-3}'],
  ] as [(number | null)[], string][])('numberArray(%j) = %s', (values, literal) => {
    expect(numberArray(values)).toBe(literal);
  });

  it.each([
    [[], '{}'],
    [['a', null, ''], '{"a",NULL,""}'],
    [
      ['say "hi"', 'back\\slash', 'a,b', '{x}', ' sp ', 'NULL'],
      '{"say \\"hi\\"","back\\\\slash","a,b","{x}"," sp ","NULL"}',
    ],
  ] as [(string | null)[], string][])('textArray(%j) = %s', (values, literal) => {
    expect(textArray(values)).toBe(literal);
  });
});
