/**
 * Attacks on population health with a valid staff, patient, carer or system account (security review
 * of packages/server/src/population-health). A passing test proves a defence; a test that fails now
 * asserts the safe behaviour for a hole described in the review report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffActor } from '../access/actor.ts';
import { mintToken, testSystemToken } from '../auth/testing/tokens.ts';
import { publishedModel } from './model/registry.ts';
import { populationTestApp, type PopulationTestApp } from './testing/fixture.ts';

let p: PopulationTestApp;
beforeAll(async () => {
  p = await populationTestApp();
}, 480_000);
afterAll(async () => p?.close());

const LIST = '/api/population-health/risk-list';
const PSEUDO = '/api/population-health/pseudonymised-list';
const CASES = '/api/population-health/case-list';

async function raw(token: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  const response = await p.t.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const json = String(response.headers['content-type'] ?? '').includes('json');
  return { status: response.statusCode, body: json && response.body ? JSON.parse(response.body) : response.body };
}

async function patientOf(practice: string, extra = ''): Promise<string> {
  const [row] = await p.t.platform.db.query<{ patient_id: string }>(
    `select patient_id from population_risk_score where practice_id = $1 ${extra} order by patient_id limit 1`,
    [practice],
  );
  return row!.patient_id;
}

async function patientToken(patientId: string): Promise<string> {
  const userId = `user-patient-${patientId}`;
  await p.t.platform.db.query(
    `insert into auth_user (id, username, fhir_user) values ($1, $1, $2) on conflict do nothing`,
    [userId, `Patient/${patientId}`],
  );
  return mintToken(p.t.platform, {
    sub: userId,
    client_id: 'careweave-web',
    scope: 'openid fhirUser patient/*.cruds',
    fhirUser: `${p.t.fhirBase}/Patient/${patientId}`,
    patient: patientId,
  });
}

async function staffToken(actor: StaffActor, scope: string): Promise<string> {
  return mintToken(p.t.platform, {
    sub: actor.userId,
    client_id: 'careweave-web',
    scope,
    fhirUser: `${p.t.fhirBase}/Practitioner/${actor.practitionerId}`,
    role_profile: { organization: actor.organizationId, role: actor.roleCode },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('who reaches the lists', () => {
  it('a patient gets no risk list, pseudonymised list, CSV, case list or $risk-score', async () => {
    const me = await patientOf(p.practiceA);
    const token = await patientToken(me);
    for (const url of [LIST, `${LIST}.csv`, PSEUDO, `${PSEUDO}.csv`, CASES]) {
      const response = await raw(token, 'GET', url);
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(response.body)).not.toMatch(/"rows"|NHS number|Pseudonym/);
    }
    expect((await raw(token, 'POST', CASES, { patientId: me })).status).toBeGreaterThanOrEqual(400);
    const score = await raw(token, 'POST', `/fhir/R4/Patient/${me}/$risk-score`, { resourceType: 'Parameters' });
    expect(score.status).toBeGreaterThanOrEqual(400);
  });

  it('a system client (client credentials) gets no list', async () => {
    const token = await testSystemToken(p.t.platform);
    for (const url of [LIST, `${LIST}.csv`, PSEUDO, CASES]) {
      const response = await raw(token, 'GET', url);
      expect(response.status, url).toBeGreaterThanOrEqual(400);
    }
  });

  it('a staff token without Patient/RiskAssessment read scopes learns nothing from the risk list', async () => {
    // The list routes are not FHIR interactions: they must still honour the token's SMART scopes.
    const token = await staffToken(p.gpA, 'openid fhirUser user/Observation.r');
    // The FHIR API refuses this token for Patient reads (scopes are enforced there) ...
    const fhir = await raw(token, 'GET', '/fhir/R4/Patient?_count=1');
    expect(fhir.status).toBe(403);
    // ... so the list (names, NHS numbers, diagnoses) must not be a way round it.
    const response = await raw(token, 'GET', `${LIST}?pageSize=500`);
    if (response.status === 200) {
      expect(response.body.rows).toEqual([]);
      expect(response.body.total).toBe(0);
    } else {
      expect(response.status).toBe(403);
    }
    const csv = await raw(token, 'GET', `${LIST}.csv`);
    if (csv.status === 200) {
      expect(String(csv.body).trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('injection and malformed parameters', () => {
  const payloads = [
    `practice=${encodeURIComponent("x' or '1'='1")}`,
    `practice=${encodeURIComponent('x);drop table population_risk_score;--')}`,
    `band=${encodeURIComponent("high' or 1=1--")}`,
    `version=${encodeURIComponent("ea12-v1' or 1=1--")}`,
    'version=ea12-v2',
    'minAge=-1',
    'pageSize=501',
    'page=0',
    'page=1.5',
    'band=high&band=low',
    'practice[]=x',
    '__proto__=x',
    'condition=hypertension%27',
    'rising=1',
    'minAge=80&maxAge=70',
  ];
  for (const q of payloads) {
    it(`answers ${q} with a 400 OperationOutcome (risk list and pseudonymised list)`, async () => {
      for (const [actor, base] of [
        [p.gpA, LIST],
        [p.commissioner, PSEUDO],
      ] as const) {
        const response = await p.api(actor, 'GET', `${base}?${q}`);
        expect(response.status, `${base}?${q}`).toBe(400);
        expect(response.body.resourceType).toBe('OperationOutcome');
      }
    });
  }

  it('the score table is intact after the attempts', async () => {
    const [row] = await p.t.platform.db.query<{ n: string }>(`select count(*) as n from population_risk_score`);
    expect(Number(row!.n)).toBeGreaterThan(280);
  });
});

describe('staff see only their own patients, in rows, counts, bands, pages and CSV', () => {
  it('totals and bands equal exactly the rows shown (no hidden rows counted)', async () => {
    for (const actor of [p.gpA, p.gpB, p.nurse, p.commissioner]) {
      const list = (await p.api(actor, 'GET', `${LIST}?pageSize=500`)).body;
      expect(list.rows.length).toBe(list.total);
      const sum = Object.values(list.bands as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum).toBe(list.total);
    }
  });

  it('no filter combination reveals another practice’s patients to a GP', async () => {
    const theirs = await patientOf(p.practiceA);
    for (const q of [
      `practice=${p.practiceA}`,
      `practice=${p.practiceA}&band=very-high`,
      `practice=${p.practiceA}&rising=true`,
      `practice=${p.practiceA}&minAge=0&maxAge=130`,
      `practice=${p.practiceA}&page=2&pageSize=1`,
    ]) {
      const list = (await p.api(p.gpB, 'GET', `${LIST}?${q}`)).body;
      expect(list.total, q).toBe(0);
      expect(
        Object.values(list.bands).every((n) => n === 0),
        q,
      ).toBe(true);
      expect(JSON.stringify(list)).not.toContain(theirs);
    }
    const csv = await p.api(p.gpB, 'GET', `${LIST}.csv?practice=${p.practiceA}`);
    expect(String(csv.body).trim().split('\n')).toHaveLength(1);
    const nurseCsv = await p.api(p.nurse, 'GET', `${LIST}.csv`);
    expect(String(nurseCsv.body).trim().split('\n')).toHaveLength(1);
  });

  it('a page past the end shows no rows and the caller’s own total only', async () => {
    const own = (await p.api(p.gpB, 'GET', `${LIST}?pageSize=500`)).body.total;
    const far = (await p.api(p.gpB, 'GET', `${LIST}?page=10000&pageSize=500`)).body;
    expect(far.rows).toEqual([]);
    expect(far.total).toBe(own);
  });

  it('reading the list is audited against each patient shown (and the CSV too)', async () => {
    const before = await p.t.platform.db.query<{ seq: string }>(`select coalesce(max(seq), 0) as seq from audit_log`);
    const shown = (await p.api(p.gpA, 'GET', `${LIST}?pageSize=3`)).body.rows.map((r: any) =>
      r.patient.reference.slice(8),
    );
    await p.api(p.gpA, 'GET', `${LIST}.csv?pageSize=2`);
    expect(shown).toHaveLength(3);
    let audited = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const rows = await p.t.platform.db.query<{ patient_ids: string[] }>(
        `select patient_ids from audit_log where seq > $1 and actor::text like $2`,
        [before[0]!.seq, `%${p.gpA.userId}%`],
      );
      audited = new Set(rows.flatMap((r) => r.patient_ids));
      if (shown.every((id: string) => audited.has(id))) {
        break;
      }
      await sleep(250);
    }
    for (const id of shown) {
      expect(audited.has(id), id).toBe(true);
    }
  });

  it('a sensitive (mental-health) diagnosis the GP may not read is not shown on their list', async () => {
    const target = await patientOf(p.practiceA, `and not ('depression' = any(conditions))`);
    const [mh] = await p.t.platform.db.query<{ id: string }>(
      `select id from current_resource where resource_type = 'Organization'
         and content::jsonb::text like '%organisation-type%' and content::jsonb::text like '%"mental-health"%' limit 1`,
    );
    const mhOrg = mh?.id ?? 'org-rw5';
    await p.t.platform.resources.create('Condition', {
      resourceType: 'Condition',
      meta: {
        source: `Organization/${mhOrg}`,
        security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'MH' }],
      },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '35489007', display: 'Depressive disorder' }] },
      subject: { reference: `Patient/${target}` },
      recordedDate: new Date().toISOString(),
    } as never);
    await p.scoring.rescore(publishedModel('ea12-v1'), target);
    // The GP cannot read the diagnosis itself (mental-health category from another organisation, no agreement) ...
    const search = await p.api(
      p.gpA,
      'GET',
      `/fhir/R4/Condition?patient=${target}&code=http://snomed.info/sct|35489007`,
    );
    const visible = (search.body.entry ?? []).some((e: any) => e.resource?.resourceType === 'Condition');
    expect(visible).toBe(false);
    // ... so the risk list must not tell them about it either.
    const list = (await p.api(p.gpA, 'GET', `${LIST}?pageSize=500&condition=depression`)).body;
    const row = list.rows.find((r: any) => r.patient.reference === `Patient/${target}`);
    expect(row, 'patient found by condition=depression although the GP may not see that diagnosis').toBeUndefined();
    const all = (await p.api(p.gpA, 'GET', `${LIST}?pageSize=500`)).body;
    const mine = all.rows.find((r: any) => r.patient.reference === `Patient/${target}`);
    expect(JSON.stringify(mine ?? {})).not.toMatch(/depression/);
  });
});

describe('the commissioner cannot re-identify people', () => {
  it('never sees the practice that does not share, whatever the practice filter', async () => {
    const list = (await p.api(p.commissioner, 'GET', `${PSEUDO}?practice=${p.practiceB}&pageSize=500`)).body;
    expect(list.rows).toEqual([]);
    expect(list.total).toBe(0);
  });

  it('rows carry no names, NHS numbers, dates of birth, exact ages, patient ids or exact costs', async () => {
    const list = (await p.api(p.commissioner, 'GET', `${PSEUDO}?pageSize=500`)).body;
    const text = JSON.stringify(list);
    expect(text).not.toMatch(/"patient"|nhsNumber|birthDate|"age":|riskAssessment|RiskAssessment\//);
    const ids = await p.t.platform.db.query<{ patient_id: string }>(
      `select patient_id from population_risk_score where practice_id = $1`,
      [p.practiceA],
    );
    for (const { patient_id } of ids) {
      expect(text).not.toContain(`"${patient_id}"`);
    }
    expect(list.rows.every((r: any) => r.cost12m % 10 === 0)).toBe(true);
    const csv = String((await p.api(p.commissioner, 'GET', `${PSEUDO}.csv`)).body);
    expect(csv.split('\n')[0]).toMatch(/^Pseudonym,Age band/);
    expect(csv).not.toMatch(/\b9\d{9}\b/);
  });

  it('a filter matching fewer than five people shows no rows, whatever the page', async () => {
    for (const q of ['minAge=100', 'minAge=99&band=low', 'minAge=95&frailty=fit&page=1&pageSize=1']) {
      const list = (await p.api(p.commissioner, 'GET', `${PSEUDO}?${q}`)).body;
      if (list.total === '<5' || list.total === 0) {
        expect(list.rows, q).toEqual([]);
      }
    }
  });

  it('cannot learn a pseudonym’s exact age by differencing minAge=N and minAge=N+1', async () => {
    // The list promises "no exact ages" (a five-year band at most, suppressed for small groups). Both
    // lists below have five or more people, so neither is suppressed, but a pseudonym in the first and
    // not the second is exactly N years old; sweeping N gives everyone's exact age, which with sex,
    // practice, conditions and admissions re-identifies. (minAge=N&maxAge=N does the same whenever
    // five or more share an age.)
    const seen = async (q: string): Promise<Set<string> | undefined> => {
      const response = await p.api(p.commissioner, 'GET', `${PSEUDO}?${q}&pageSize=500`);
      return response.status === 200 && response.body.rows.length
        ? new Set(response.body.rows.map((r: any) => r.pseudonym))
        : undefined;
    };
    const exact = new Map<string, number>();
    for (let n = 0; n <= 100; n++) {
      // People aged >= n but not >= n+1, or <= n but not <= n-1, are exactly n.
      for (const [wide, narrow] of [
        [`minAge=${n}`, `minAge=${n + 1}`],
        [`maxAge=${n}`, n > 0 ? `maxAge=${n - 1}` : undefined],
      ] as const) {
        const a = await seen(wide);
        const b = narrow ? await seen(narrow) : undefined;
        if (!a || !b) {
          continue;
        }
        for (const id of a) {
          if (!b.has(id)) {
            exact.set(id, n);
          }
        }
      }
    }
    expect(
      exact.size,
      `exact ages learned for ${exact.size} pseudonyms, e.g. ${JSON.stringify([...exact].slice(0, 3))}`,
    ).toBe(0);
  });

  it('a suppressed band count cannot be recovered from the exact total', async () => {
    // bands 1–4 are shown as "<5", but the total is exact: total − the other bands gives the count.
    let recovered: string | undefined;
    for (const q of [
      '',
      'minAge=65',
      'minAge=75',
      'minAge=85',
      'condition=heart-failure',
      'condition=copd',
      'frailty=severe',
      'frailty=moderate',
    ]) {
      const list = (await p.api(p.commissioner, 'GET', `${PSEUDO}?${q}&pageSize=1`)).body;
      const values = Object.values(list.bands ?? {});
      const hidden = values.filter((v) => v === '<5').length;
      if (hidden === 1 && typeof list.total === 'number') {
        const rest = values.filter((v): v is number => typeof v === 'number').reduce((a, b) => a + b, 0);
        recovered = `${q}: a band of exactly ${list.total - rest}`;
        break;
      }
    }
    expect(recovered).toBeUndefined();
  });

  it('pseudonyms are keyed (not a plain hash of the id) and do not contain the id', async () => {
    const list = (await p.api(p.commissioner, 'GET', `${PSEUDO}?pageSize=500`)).body;
    const { createHash } = await import('node:crypto');
    const ids = await p.t.platform.db.query<{ patient_id: string }>(
      `select patient_id from population_risk_score where practice_id = $1`,
      [p.practiceA],
    );
    const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const unkeyed = new Set(
      ids.map(({ patient_id }) => {
        const d = createHash('sha256').update(`commissioning\u0000${patient_id}`).digest();
        let out = '';
        for (let i = 0; i < 10; i++) {
          out += ALPHABET[d[i]! % ALPHABET.length];
        }
        return `PX-${out.slice(0, 5)}-${out.slice(5)}`;
      }),
    );
    expect(list.rows.some((r: any) => unkeyed.has(r.pseudonym))).toBe(false);
  });

  it('a patient with a National Data Opt-out is absent from every filter, page and the CSV', async () => {
    const [row] = await p.t.platform.db.query<{ patient_id: string; band: string }>(
      `select patient_id, band from population_risk_score where practice_id = $1 order by probability desc limit 1`,
      [p.practiceA],
    );
    const before = (await p.api(p.commissioner, 'GET', `${PSEUDO}?band=${row!.band}&pageSize=1`)).body.total;
    await p.t.platform.db.query(
      `insert into access_data_opt_out (consent_id, patient_id) values ('attack-opt-out', $1)`,
      [row!.patient_id],
    );
    const after = (await p.api(p.commissioner, 'GET', `${PSEUDO}?band=${row!.band}&pageSize=1`)).body.total;
    if (typeof before === 'number' && typeof after === 'number') {
      expect(after).toBe(before - 1);
    }
    const { pseudonym } = await import('./lists/pseudonym.ts');
    const theirs = pseudonym('careweave-demo-pseudonym-key-not-for-production', 'commissioning', row!.patient_id);
    const all = JSON.stringify((await p.api(p.commissioner, 'GET', `${PSEUDO}?pageSize=500`)).body);
    expect(all).not.toContain(theirs);
    expect(String((await p.api(p.commissioner, 'GET', `${PSEUDO}.csv?band=${row!.band}`)).body)).not.toContain(theirs);
  });

  it('the pseudonymised query is audited', async () => {
    await p.api(p.commissioner, 'GET', `${PSEUDO}?band=high`);
    const rows = await p.t.platform.db.query<{ query: string }>(
      `select query from audit_log where actor::text like $1 and query like '%pseudonymised risk list%'`,
      [`%${p.commissioner.userId}%`],
    );
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('case lists', () => {
  it('another member of staff cannot read, find or withdraw a GP’s case-list referral', async () => {
    const mine = await patientOf(p.practiceA);
    const added = await p.api(p.gpA, 'POST', CASES, { patientId: mine, reason: '=HYPERLINK("http://evil")' });
    expect(added.status).toBe(200);
    expect(added.body.outcome).toBe('referred');
    const [request] = await p.t.platform.db.query<{ id: string }>(
      `select id from current_resource where resource_type = 'ServiceRequest' and content::text like $1 and not deleted`,
      [`%${p.gpA.practitionerId}%`],
    );
    expect(request).toBeDefined();
    for (const actor of [p.gpB, p.nurse, p.commissioner]) {
      expect((await p.api(actor, 'GET', `/fhir/R4/ServiceRequest/${request!.id}`)).status).toBe(404);
      expect((await p.api(actor, 'GET', CASES)).body.entries).toEqual([]);
      expect((await p.api(actor, 'DELETE', `${CASES}/${mine}`)).status).toBe(404);
    }
    const still = (await p.api(p.gpA, 'GET', CASES)).body.entries;
    expect(still.map((e: any) => e.patient)).toContain(`Patient/${mine}`);
    await p.api(p.gpA, 'DELETE', `${CASES}/${mine}`);
  });

  it('a case list cannot be made (through FHIR) to hold a patient the writer may not see', async () => {
    const theirs = await patientOf(p.practiceA);
    const created = await p.api(p.gpB, 'POST', '/fhir/R4/List', {
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      code: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/list-code', code: 'case-list' }] },
      source: { reference: `Practitioner/${p.gpB.practitionerId}` },
      entry: [{ item: { reference: `Patient/${theirs}` } }],
    });
    expect(created.status).toBeGreaterThanOrEqual(400);
    const entries = (await p.api(p.gpB, 'GET', CASES)).body.entries;
    expect(JSON.stringify(entries)).not.toContain(theirs);
    // Nor be planted as someone else's list.
    const planted = await p.api(p.gpB, 'POST', '/fhir/R4/List', {
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      code: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/list-code', code: 'case-list' }] },
      source: { reference: `Practitioner/${p.gpA.practitionerId}` },
    });
    expect(planted.status).toBeGreaterThanOrEqual(400);
  });

  it('adding a patient the caller may not see is refused and nothing is written', async () => {
    const theirs = await patientOf(p.practiceA);
    const response = await p.api(p.nurse, 'POST', CASES, { patientId: theirs });
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toMatch(/name|given|family/i);
    const written = await p.t.platform.db.query<{ id: string }>(
      `select id from current_resource where resource_type in ('List', 'ServiceRequest', 'Task') and content::text like $1`,
      [`%${p.nurse.practitionerId}%`],
    );
    expect(written).toEqual([]);
  });
});

describe('$risk-score and the rescoring reaction', () => {
  it('a refused $risk-score does not rescore the patient nor say whether they exist', async () => {
    const theirs = await patientOf(p.practiceA);
    const [before] = await p.t.platform.db.query<{ scored_at: string }>(
      `select scored_at::text as scored_at from population_risk_score where patient_id = $1`,
      [theirs],
    );
    const refused = await p.api(p.nurse, 'POST', `/fhir/R4/Patient/${theirs}/$risk-score`, {
      resourceType: 'Parameters',
    });
    const missing = await p.api(p.nurse, 'POST', `/fhir/R4/Patient/pat-does-not-exist/$risk-score`, {
      resourceType: 'Parameters',
    });
    expect(refused.status).toBe(404);
    expect(missing.status).toBe(404);
    const [after] = await p.t.platform.db.query<{ scored_at: string }>(
      `select scored_at::text as scored_at from population_risk_score where patient_id = $1`,
      [theirs],
    );
    expect(after!.scored_at).toBe(before!.scored_at);
  });

  it('a patient cannot put a long-term condition on their own risk score through the portal', async () => {
    const me = await patientOf(p.practiceA, `and not ('heart-failure' = any(conditions))`);
    const token = await patientToken(me);
    const created = await raw(token, 'POST', '/fhir/R4/Condition', {
      resourceType: 'Condition',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '84114007', display: 'Heart failure' }] },
      subject: { reference: `Patient/${me}` },
      recordedDate: new Date().toISOString(),
    });
    if (created.status >= 400) {
      return;
    } // patients cannot write Conditions: nothing to rescore from
    let conditions: string[] = [];
    for (let i = 0; i < 40; i++) {
      const [row] = await p.t.platform.db.query<{ conditions: string[] }>(
        `select conditions from population_risk_score where patient_id = $1`,
        [me],
      );
      conditions = row!.conditions;
      if (conditions.includes('heart-failure')) {
        break;
      }
      await sleep(250);
    }
    expect(conditions, 'a self-reported (portal) condition became a clinical risk factor').not.toContain(
      'heart-failure',
    );
  });

  it('a patient cannot rescore another patient by writing a red telehealth alert for them', async () => {
    const me = await patientOf(p.practiceA);
    const other = await patientOf(p.practiceB);
    const token = await patientToken(me);
    const created = await raw(token, 'POST', '/fhir/R4/Task', {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      priority: 'stat',
      code: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/task-code', code: 'telehealth-alert' }] },
      for: { reference: `Patient/${other}` },
      authoredOn: new Date().toISOString(),
    });
    expect(created.status).toBeGreaterThanOrEqual(400);
  });
});
