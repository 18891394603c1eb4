/**
 * The validation pipeline on a generated population (docs/SEED.md): a real fit and a real held-out
 * test. The generator's admissions come from a known function, so a model that works must separate
 * and calibrate well above chance, and below the known ceiling.
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOW, generatePatients } from '../../seed/index.ts';
import { publishedModel } from '../model/registry.ts';
import { score } from '../model/model.ts';
import { factsAt } from '../features/features.ts';
import { historiesFromGenerator, recordEnd } from './population.ts';
import { reportMarkdown } from './report.ts';
import { isHeldOut, validate } from './validate.ts';

const histories = historiesFromGenerator(
  generatePatients({ patients: 6_000, seed: 11, now: new Date(DEFAULT_NOW) }) as Iterable<Resource[]>,
  6_000,
);

describe('validate', () => {
  const report = validate(histories, {
    dataEnd: recordEnd(histories),
    population: 'test',
    published: publishedModel('ea12-v1'),
  });

  it('ends the record the day after its last contact', () => {
    expect(report.dataEnd <= new Date(DEFAULT_NOW).toISOString().slice(0, 10)).toBe(true);
  });

  it('fits on two thirds and tests on the held-out third', () => {
    const heldOut = histories.filter((h) => isHeldOut(h.patientId)).length;
    expect(heldOut / histories.length).toBeGreaterThan(0.3);
    expect(heldOut / histories.length).toBeLessThan(0.37);
    expect(report.splitSample.test.patients + report.splitSample.trained.patients).toBeLessThanOrEqual(
      histories.length,
    );
  });

  it('discriminates well above chance on held-out people, for both the split-sample and temporal fits', () => {
    for (const evaluation of [report.splitSample.test, report.temporal.test, report.published!.test]) {
      expect(evaluation.auc.auc).toBeGreaterThan(0.62);
      expect(evaluation.auc.lower).toBeLessThan(evaluation.auc.auc);
      expect(evaluation.admitted).toBeGreaterThan(50);
    }
  });

  it('is calibrated: the top decile is admitted far more often than the bottom, close to what it predicts', () => {
    const bins = report.splitSample.test.calibration;
    expect(bins[9]!.observedRate).toBeGreaterThan(3 * bins[0]!.observedRate);
    const predicted = bins.reduce((a, b) => a + b.meanPredicted * b.count, 0);
    const observed = bins.reduce((a, b) => a + b.observedRate * b.count, 0);
    expect(Math.abs(predicted - observed) / observed).toBeLessThan(0.25);
  });

  it('flags fewer true admissions with a smaller top, at a higher PPV', () => {
    const [half, one, five] = report.splitSample.test.top;
    expect(half!.sensitivity).toBeLessThanOrEqual(one!.sensitivity);
    expect(one!.sensitivity).toBeLessThanOrEqual(five!.sensitivity);
    expect(five!.ppv).toBeGreaterThan(report.splitSample.test.admitted / report.splitSample.test.patients);
  });

  it('writes a report with the AUC, calibration and the published comparisons', () => {
    const markdown = reportMarkdown(report);
    expect(markdown).toMatch(/\*\*AUC 0\.\d{3}\*\* \(95% CI 0\.\d{3}–0\.\d{3}, DeLong\)/);
    expect(markdown).toContain('QAdmissions');
    expect(markdown).toContain('| Decile of predicted risk |');
  });
});

describe('a small population', () => {
  it('fits 300 people with a handful of admissions without the fit running away', () => {
    // A full Newton step overshot here once (intercept −8e8, every prediction equal, AUC 0.5).
    const small = historiesFromGenerator(
      generatePatients({ patients: 300, seed: 3, now: new Date(DEFAULT_NOW) }) as Iterable<Resource[]>,
      300,
    );
    const report = validate(small, { dataEnd: recordEnd(small), population: 'small' });
    expect(Math.abs(report.splitSample.model.intercept)).toBeLessThan(10);
    expect(report.splitSample.test.auc.auc).not.toBe(0.5);
    expect(report.splitSample.test.auc.se).toBeGreaterThan(0);
  });
});

describe('the published model', () => {
  it('explains a high-risk person in plain words', () => {
    const model = publishedModel('ea12-v1');
    const riskiest = histories
      .map((h) => ({ h, s: score(model, factsAt(h, new Date(DEFAULT_NOW))) }))
      .sort((a, b) => b.s.probability - a.s.probability)[0]!;
    expect(riskiest.s.band).toBe('very-high');
    expect(riskiest.s.factors.length).toBeGreaterThan(0);
    expect(riskiest.s.factors[0]!.words).toMatch(/[a-z]/);
    // Age is one factor, whatever terms it enters the model as.
    expect(
      riskiest.s.factors.filter((f) => /age/i.test(f.words) && /\d/.test(f.words) && !/eFI/.test(f.words)).length,
    ).toBeLessThanOrEqual(1);
    expect(riskiest.s.factors.map((f) => f.feature)).not.toContain('over-65-per-decade');
    expect(riskiest.s.factors.map((f) => f.logOdds)).toEqual(
      [...riskiest.s.factors.map((f) => f.logOdds)].sort((a, b) => b - a),
    );
  });

  it('refuses a version that was never published', () => {
    expect(() => publishedModel('ea12-v9')).toThrow(/unknown risk model version/);
  });
});
