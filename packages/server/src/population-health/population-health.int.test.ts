/**
 * Population health as its users use it, on PGlite and PostgreSQL: every patient scored into a
 * RiskAssessment; a GP's ranked, explained, filterable list of their own practice; nobody else's
 * patients, whatever they ask for; a commissioner's pseudonymised list by agreement; CSV export; case
 * lists; `Patient/$risk-score`; and rescoring within seconds of an emergency admission.
 */
import type { RiskAssessment } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFhirResource } from '../fhir/validation/validate.ts';
import { populationTestApp, type PopulationTestApp } from './testing/fixture.ts';

let p: PopulationTestApp;
beforeAll(async () => {
  p = await populationTestApp();
}, 480_000);
afterAll(async () => p?.close());

const practicePatients = async (practice: string): Promise<number> => {
  const [row] = await p.t.platform.db.query<{ n: string }>(
    `select count(*) as n from population_risk_score where practice_id = $1`,
    [practice],
  );
  return Number(row!.n);
};

describe('scoring', () => {
  it('scores every living patient into a valid RiskAssessment with band, version and reasons', async () => {
    const [counts] = await p.t.platform.db.query<{ scored: string; recorded: string }>(
      `select count(*) as scored, count(risk_assessment_id) as recorded from population_risk_score where model_version = 'ea12-v1'`,
    );
    expect(Number(counts!.scored)).toBeGreaterThan(280);
    expect(counts!.recorded).toBe(counts!.scored);
    const [top] = await p.t.platform.db.query<{ risk_assessment_id: string; probability: number }>(
      `select risk_assessment_id, probability from population_risk_score order by probability desc limit 1`,
    );
    const assessment = JSON.parse(
      (await p.t.platform.resources.read('RiskAssessment', top!.risk_assessment_id)).json!,
    ) as RiskAssessment;
    expect(validateFhirResource(assessment)).toEqual([]);
    expect(assessment.method?.coding?.[0]).toMatchObject({
      system: 'https://careweave.example/fhir/CodeSystem/risk-model',
      code: 'ea12-v1',
    });
    expect(assessment.prediction?.[0]?.probabilityDecimal).toBeCloseTo(top!.probability, 3);
    expect(assessment.prediction?.[0]?.qualitativeRisk?.coding?.[0]?.system).toBe(
      'https://careweave.example/fhir/CodeSystem/risk-band',
    );
    expect(assessment.note?.[0]?.text).toMatch(/chance of an emergency admission in the next 12 months/);
  });

  it('does not write a new version when nothing material changed', async () => {
    const before = await p.t.platform.db.query<{ n: string }>(
      `select count(*) as n from resource_version where resource_type = 'RiskAssessment'`,
    );
    const { publishedModel } = await import('./model/registry.ts');
    const summary = await p.scoring.scoreAll(publishedModel('ea12-v1'));
    const after = await p.t.platform.db.query<{ n: string }>(
      `select count(*) as n from resource_version where resource_type = 'RiskAssessment'`,
    );
    expect(summary.assessmentsWritten).toBe(0);
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});

describe('careweave risk validate on the record', () => {
  it('reads every patient’s history from the database and reports a held-out AUC', async () => {
    const { historiesFromDatabase, recordEnd } = await import('./validate/population.ts');
    const { validate } = await import('./validate/validate.ts');
    const histories = await historiesFromDatabase(p.t.platform.db);
    expect(histories.length).toBe(300);
    const report = validate(histories, { dataEnd: recordEnd(histories), population: 'test database' });
    expect(report.splitSample.test.patients).toBeGreaterThan(80);
    expect(report.splitSample.test.auc.auc).toBeGreaterThan(0.5);
    expect(report.splitSample.test.auc.upper).toBeLessThanOrEqual(1);
  });
});

describe('the GP’s risk list', () => {
  it('ranks the practice’s patients, highest risk first, with names, NHS numbers and reasons', async () => {
    const response = await p.api(p.gpA, 'GET', '/api/population-health/risk-list?pageSize=500');
    expect(response.status).toBe(200);
    const list = response.body;
    expect(list.mode).toBe('identifiable');
    expect(list.total).toBe(await practicePatients(p.practiceA));
    expect(list.rows.length).toBe(list.total);
    const probabilities = list.rows.map((r: any) => r.probability);
    expect(probabilities).toEqual([...probabilities].sort((a: number, b: number) => b - a));
    expect(list.rows.every((r: any) => r.practice.id === p.practiceA)).toBe(true);
    const first = list.rows[0];
    expect(first.patient.nhsNumber).toMatch(/^9\d{9}$/);
    expect(first.patient.name).toMatch(/\w/);
    expect(first.factors.length).toBeGreaterThan(0);
    expect(first.riskAssessment).toMatch(/^RiskAssessment\//);
  });

  it('filters by band, condition and age, and pages', async () => {
    const all = (await p.api(p.gpA, 'GET', '/api/population-health/risk-list?pageSize=500')).body.rows;
    const older = (await p.api(p.gpA, 'GET', '/api/population-health/risk-list?minAge=75&pageSize=500')).body;
    expect(older.rows.every((r: any) => r.age >= 75)).toBe(true);
    expect(older.total).toBe(all.filter((r: any) => r.age >= 75).length);
    const hypertension = (
      await p.api(p.gpA, 'GET', '/api/population-health/risk-list?condition=hypertension&pageSize=500')
    ).body;
    expect(hypertension.rows.every((r: any) => r.conditions.includes('high blood pressure'))).toBe(true);
    const band = all[0].band;
    const inBand = (await p.api(p.gpA, 'GET', `/api/population-health/risk-list?band=${band}&pageSize=500`)).body;
    expect(inBand.total).toBe(all.filter((r: any) => r.band === band).length);
    const page2 = (await p.api(p.gpA, 'GET', '/api/population-health/risk-list?page=2&pageSize=10')).body;
    expect(page2.rows.map((r: any) => r.patient.reference)).toEqual(
      all.slice(10, 20).map((r: any) => r.patient.reference),
    );
  });

  it('marks rising risk against last month’s first score, and filters by it', async () => {
    const [row] = await p.t.platform.db.query<{ patient_id: string; probability: number }>(
      `select patient_id, probability from population_risk_score where practice_id = $1 order by probability desc limit 1`,
      [p.practiceA],
    );
    await p.t.platform.db.query(
      `insert into population_risk_snapshot (model_version, month, patient_id, probability)
       values ('ea12-v1', (date_trunc('month', now()) - interval '1 month')::date, $1, $2)`,
      [row!.patient_id, row!.probability - 0.05],
    );
    const rising = (await p.api(p.gpA, 'GET', '/api/population-health/risk-list?rising=true')).body;
    expect(rising.rows.map((r: any) => r.patient.reference)).toEqual([`Patient/${row!.patient_id}`]);
    expect(rising.rows[0]).toMatchObject({ rising: true });
    expect(rising.rows[0].previousProbability).toBeCloseTo(row!.probability - 0.05, 6);
  });

  it('answers a bad filter with an OperationOutcome naming it', async () => {
    const response = await p.api(p.gpA, 'GET', '/api/population-health/risk-list?band=purple&version=ea12-v9');
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(response.body)).toMatch(/band/);
  });

  it('exports the list as CSV', async () => {
    const response = await p.api(p.gpA, 'GET', '/api/population-health/risk-list.csv?band=high');
    expect(response.status).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/text\/csv/);
    const lines = String(response.body).trim().split('\n');
    expect(lines[0]).toMatch(/^NHS number,Name/);
    const high = (await p.api(p.gpA, 'GET', '/api/population-health/risk-list?band=high')).body.total;
    expect(lines.length - 1).toBe(high);
  });
});

describe('attacks with a valid account', () => {
  it('a GP of another practice never sees practice A’s patients, even asking by practice', async () => {
    const response = await p.api(p.gpB, 'GET', `/api/population-health/risk-list?practice=${p.practiceA}&pageSize=500`);
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(0);
    expect(response.body.rows).toEqual([]);
    const own = (await p.api(p.gpB, 'GET', '/api/population-health/risk-list?pageSize=500')).body;
    expect(own.rows.every((r: any) => r.practice.id === p.practiceB)).toBe(true);
  });

  it('a district nurse with no patients sees an empty list, and the counts say nothing', async () => {
    const response = await p.api(p.nurse, 'GET', '/api/population-health/risk-list');
    expect(response.body).toMatchObject({
      total: 0,
      rows: [],
      bands: { 'very-high': 0, high: 0, moderate: 0, low: 0 },
    });
  });

  it('$risk-score and the case list answer 404 for a patient the caller may not see', async () => {
    const [other] = await p.t.platform.db.query<{ patient_id: string }>(
      `select patient_id from population_risk_score where practice_id = $1 limit 1`,
      [p.practiceA],
    );
    const score = await p.api(p.gpB, 'POST', `/fhir/R4/Patient/${other!.patient_id}/$risk-score`, {
      resourceType: 'Parameters',
    });
    expect(score.status).toBe(404);
    const add = await p.api(p.gpB, 'POST', '/api/population-health/case-list', { patientId: other!.patient_id });
    expect(add.status).toBe(404);
    const list = await p.api(p.gpB, 'GET', '/api/population-health/case-list');
    expect(list.body.entries).toEqual([]);
  });

  it('staff who are not commissioners get no pseudonymised list', async () => {
    const response = await p.api(p.gpA, 'GET', '/api/population-health/pseudonymised-list');
    expect(response.status).toBe(403);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });
});

describe('the commissioner’s pseudonymised list', () => {
  it('shows the sharing practice’s rows with stable pseudonyms and nothing identifying', async () => {
    expect((await p.api(p.commissioner, 'GET', '/api/population-health/risk-list')).body.total).toBe(0);
    const first = (await p.api(p.commissioner, 'GET', '/api/population-health/pseudonymised-list?pageSize=500')).body;
    expect(first.mode).toBe('pseudonymised');
    expect(first.total).toBe(await practicePatients(p.practiceA));
    expect(first.rows.every((r: any) => r.practice.id === p.practiceA)).toBe(true);
    const text = JSON.stringify(first.rows);
    expect(text).not.toMatch(/nhsNumber|"patient"|pat-\d{6}|"age":/);
    expect(first.rows[0].pseudonym).toMatch(/^PX-/);
    const again = (await p.api(p.commissioner, 'GET', '/api/population-health/pseudonymised-list?pageSize=500')).body;
    expect(again.rows.map((r: any) => r.pseudonym)).toEqual(first.rows.map((r: any) => r.pseudonym));
    expect(new Set(first.rows.map((r: any) => r.pseudonym)).size).toBe(first.rows.length);
    // An age band is shown only when at least five listed people share practice, band and sex.
    expect(first.rows.some((r: any) => r.ageBand === null || /^\d+–\d+$|^90\+$/.test(r.ageBand))).toBe(true);
  });

  it('suppresses small numbers and leaves out patients with a National Data Opt-out', async () => {
    const tiny = (await p.api(p.commissioner, 'GET', '/api/population-health/pseudonymised-list?minAge=100')).body;
    expect(tiny.rows).toEqual([]);
    expect(tiny.total === 0 || tiny.total === '<5').toBe(true);
    const before = (await p.api(p.commissioner, 'GET', '/api/population-health/pseudonymised-list?pageSize=500')).body
      .total;
    const [someone] = await p.t.platform.db.query<{ patient_id: string }>(
      `select patient_id from population_risk_score where practice_id = $1 order by patient_id limit 1`,
      [p.practiceA],
    );
    await p.t.platform.db.query(
      `insert into access_data_opt_out (consent_id, patient_id) values ('test-opt-out', $1)`,
      [someone!.patient_id],
    );
    const after = (await p.api(p.commissioner, 'GET', '/api/population-health/pseudonymised-list?pageSize=500')).body
      .total;
    expect(after).toBe(before - 1);
  });
});

describe('case lists and rescoring', () => {
  it('adds a patient to the GP’s case list once: a referral to care coordination with the score as the reason', async () => {
    const [mine] = await p.t.platform.db.query<{ patient_id: string }>(
      `select patient_id from population_risk_score where practice_id = $1 order by probability desc limit 1`,
      [p.practiceA],
    );
    const first = await p.api(p.gpA, 'POST', '/api/population-health/case-list', {
      patientId: mine!.patient_id,
      reason: 'Top of the list',
    });
    expect(first.body).toMatchObject({ outcome: 'referred', already: false });
    const response = await p.api(p.gpA, 'POST', '/api/population-health/case-list', { patientId: mine!.patient_id });
    expect(response.status).toBe(200);
    expect(response.body.already).toBe(true);
    expect(response.body.entries).toHaveLength(1);
    expect(response.body.entries[0]).toMatchObject({ patient: `Patient/${mine!.patient_id}`, status: 'referred' });
    expect(response.body.entries[0].reason).toMatch(/^Risk of emergency admission .+: Top of the list\.$/);
    // Another GP of the same kind does not see it: it is the GP's referral.
    expect((await p.api(p.gpB, 'GET', '/api/population-health/case-list')).body.entries).toEqual([]);
    const removed = await p.api(p.gpA, 'DELETE', `/api/population-health/case-list/${mine!.patient_id}`);
    expect(removed.body.entries).toEqual([]);
  });

  it('rescores a patient within seconds of an emergency admission', async () => {
    const [row] = await p.t.platform.db.query<{
      patient_id: string;
      emergency_admissions_12m: number;
      probability: number;
    }>(
      `select patient_id, emergency_admissions_12m, probability from population_risk_score where practice_id = $1
        order by probability limit 1`,
      [p.practiceA],
    );
    await p.t.platform.resources.create('Encounter', {
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: `Patient/${row!.patient_id}` },
      period: { start: new Date().toISOString() },
    });
    let after: { emergency_admissions_12m: number; probability: number } | undefined;
    // Within seconds on a quiet machine; up to a minute while a loaded CI machine drains other events.
    for (let i = 0; i < 240; i++) {
      [after] = await p.t.platform.db.query<{ emergency_admissions_12m: number; probability: number }>(
        `select emergency_admissions_12m, probability from population_risk_score where patient_id = $1`,
        [row!.patient_id],
      );
      if (after!.emergency_admissions_12m > row!.emergency_admissions_12m) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(after!.emergency_admissions_12m).toBe(row!.emergency_admissions_12m + 1);
    expect(after!.probability).toBeGreaterThan(row!.probability);
  }, 90_000);

  it('Patient/$risk-score returns the current RiskAssessment to the patient’s GP', async () => {
    const [mine] = await p.t.platform.db.query<{ patient_id: string }>(
      `select patient_id from population_risk_score where practice_id = $1 limit 1`,
      [p.practiceA],
    );
    const response = await p.api(p.gpA, 'POST', `/fhir/R4/Patient/${mine!.patient_id}/$risk-score`, {
      resourceType: 'Parameters',
    });
    expect(response.status).toBe(200);
    expect(response.body.resourceType).toBe('RiskAssessment');
    expect(response.body.subject.reference).toBe(`Patient/${mine!.patient_id}`);
  });
});
