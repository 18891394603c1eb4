/**
 * The two kinds of opt-out (docs/ACCESS.md, *Two kinds of opt-out*): the National Data Opt-out hides
 * an opted-out patient from secondary-use clients (planning, research) — searches, reads, joins,
 * counts, history, $everything, bulk export — and changes nothing for direct care. Over HTTP, on the
 * access scenario (testing/scenario.ts): p1 records the opt-out in the portal.
 */
import type { Bundle, Consent, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../auth/testing/tokens.ts';
import { exportAll, refs } from '../fhir/bulk/testing/export-client.ts';
import { createTestApp, type FhirResponse, type TestApp } from '../testing/app.ts';
import type { SystemActor, SystemPurpose } from './actor.ts';
import { NDOO_POLICY_URI, NDOO_PURPOSES } from './data-opt-out.ts';
import { restrictionFor } from './policy.ts';
import { actorClient, type UserActor } from './testing/actor-client.ts';
import { ACTORS, loadScenario } from './testing/scenario.ts';

const researchActor: SystemActor = { kind: 'system', clientId: 'x', scopes: [], purpose: 'research' };

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const tokens: Record<string, string> = {};

const SECONDARY: SystemPurpose[] = ['research', 'planning'];
const ref = (r: Resource): string => `${r.resourceType}/${r.id}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const withSystem = (token: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) =>
  t.fhir(method, path, body, bearer(token));
const entries = (response: FhirResponse, mode?: 'match' | 'include'): string[] => {
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return ((response.body as Bundle).entry ?? [])
    .filter((e) => !mode || e.search?.mode === mode)
    .map((e) => ref(e.resource!))
    .sort();
};

/** A system client registered for a purpose, with a token as the provider issues it (the `purpose` claim). */
async function systemToken(clientId: string, purpose?: SystemPurpose): Promise<string> {
  await t.platform.db.query(
    `insert into auth_client (client_id, description, metadata) values ($1, 'tests', $2::jsonb) on conflict do nothing`,
    [
      clientId,
      JSON.stringify({ grant_types: ['client_credentials'], ...(purpose ? { careweave_purpose: purpose } : {}) }),
    ],
  );
  return mintToken(
    t.platform,
    { sub: clientId, client_id: clientId, scope: 'system/*.rs', actor: 'system', ...(purpose ? { purpose } : {}) },
    { expiresIn: 3600 },
  );
}

/** Every resource a caller finds by searching each type in the record. */
async function everything(search: (path: string) => Promise<FhirResponse>): Promise<string[]> {
  const types = await t.platform.db.query<{ resource_type: string }>(
    `select distinct resource_type from resource where resource_type <> 'AuditEvent' order by 1`,
  );
  const found: string[] = [];
  for (const { resource_type: type } of types) {
    found.push(...entries(await search(`${type}?_count=1000`)));
  }
  return found.sort();
}

const asSystem = (token: string) => (path: string) => withSystem(token, 'GET', path);
const asUser = (actor: UserActor) => (path: string) => client.as(actor, 'GET', path);
const ofP1 = (found: string[]): string[] => found.filter((r) => P1_DATA.has(r));
let P1_DATA: Set<string>;

/** The National Data Opt-out as the portal records it (web: lib/opt-outs.ts). */
function optOut(patient: string, extra: Partial<Consent> = {}): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research', display: 'Research' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patient}` },
    dateTime: new Date().toISOString(),
    performer: [{ reference: `Patient/${patient}` }],
    policy: [{ authority: 'https://digital.nhs.uk', uri: NDOO_POLICY_URI }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: {
      type: 'deny',
      period: { start: new Date().toISOString().slice(0, 10) },
      purpose: NDOO_PURPOSES.map((p) => ({ ...p })),
    },
    ...extra,
  };
}

const verified = (patient: string) => ({
  verification: [
    { verified: true, verifiedWith: { reference: `Patient/${patient}` }, verificationDate: new Date().toISOString() },
  ],
});

/** What each direct-care caller saw before the opt-out, to compare with after. */
const before = new Map<string, string[]>();
const DIRECT: [string, (path: string) => Promise<FhirResponse>][] = [];

beforeAll(async () => {
  // The store and its policy alone: care modules write resources of their own at start (referral forms).
  t = await createTestApp({}, { modules: [] });
  client = actorClient(t);
  await loadScenario(t.platform.db, t.fhirBase);
  // p2's reading, taken by p1's carer and part of a panel with p1's community reading: a visible row
  // that points at the opted-out patient's data, for the joins below.
  await t.platform.resources.update('Observation', 'p2-linked', {
    resourceType: 'Observation',
    id: 'p2-linked',
    meta: { source: 'Organization/org-gp' },
    status: 'final',
    code: { text: 'Home reading' },
    subject: { reference: 'Patient/p2' },
    performer: [{ reference: 'RelatedPerson/rp1' }],
    hasMember: [{ reference: 'Observation/p1-comm-obs' }],
  });
  // A commissioner's cohort: p2 first (the Group's own patient label), then p1 and p3.
  await t.platform.resources.update('Group', 'g-cohort', {
    resourceType: 'Group',
    id: 'g-cohort',
    meta: { source: 'Organization/org-icb' },
    type: 'person',
    actual: true,
    member: ['p2', 'p1', 'p3'].map((p) => ({ entity: { reference: `Patient/${p}` } })),
  });
  tokens.research = await systemToken('cohort-research', 'research');
  tokens.planning = await systemToken('icb-planning', 'planning');
  tokens.direct = await systemToken('ward-feed');
  tokens.explicitDirect = await systemToken('gp-link', 'direct-care');
  const rows = await t.platform.db.query<{ ref: string }>(
    `select resource_type || '/' || id as ref from resource where patient_id = 'p1' and not deleted`,
  );
  P1_DATA = new Set(rows.map((r) => r.ref));
  DIRECT.push(
    ['gp', asUser(ACTORS.gp)],
    ['nurse', asUser(ACTORS.nurse)],
    ['patient1', asUser(ACTORS.patient1)],
    ['carer', asUser(ACTORS.carer)],
    ['direct-care client', asSystem(tokens.direct)],
    ['client registered for direct care', asSystem(tokens.explicitDirect)],
  );
  for (const [name, search] of DIRECT) {
    before.set(name, await everything(search));
  }
});

afterAll(async () => {
  await t?.close();
});

describe('before any opt-out', () => {
  it.each(SECONDARY)('a %s client sees every patient', async (purpose) => {
    const found = await everything(asSystem(tokens[purpose]!));
    expect(ofP1(found)).toEqual([...P1_DATA].sort());
    expect(found).toContain('Group/g-cohort');
  });
});

let p1OptOut: Consent;

describe('the patient records the National Data Opt-out in the portal', () => {
  it('is a Consent of their own, derived as an opt-out and never as a rule about who sees the record', async () => {
    const created = await client.as(ACTORS.patient1, 'POST', 'Consent', optOut('p1'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    p1OptOut = created.body as Consent;
    const derived = await t.platform.db.query<{ patient_id: string }>(
      'select patient_id from access_data_opt_out where consent_id = $1',
      [p1OptOut.id!],
    );
    expect(derived).toEqual([{ patient_id: 'p1' }]);
    // Scope research: its deny (no actors, no categories) is not the shared-record objection.
    const rules = await t.platform.db.query<{ active: boolean }>(
      'select active from access_consent_rule where consent_id = $1',
      [p1OptOut.id!],
    );
    expect(rules.every((r) => !r.active)).toBe(true);
  });

  it('refuses a Consent that names the national opt-out but is scoped as a privacy rule', async () => {
    const privacy = optOut('p1', {
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    });
    for (const attempt of [
      await client.as(ACTORS.patient1, 'POST', 'Consent', privacy),
      await t.fhir('POST', 'Consent', privacy),
    ]) {
      expect(attempt.status, JSON.stringify(attempt.body)).toBe(422);
      expect(JSON.stringify(attempt.body)).toContain("must have scope 'research'");
    }
  });

  it('cannot be recorded for someone else: not by a patient, nor a carer, nor staff without the instruction', async () => {
    expect((await client.as(ACTORS.patient1, 'POST', 'Consent', optOut('p2'))).status).toBe(403);
    expect((await client.as(ACTORS.carer, 'POST', 'Consent', optOut('p1'))).status).toBe(403);
    expect((await client.as(ACTORS.gp, 'POST', 'Consent', optOut('p2'))).status).toBe(403);
    const none = await t.platform.db.query(`select 1 from access_data_opt_out where patient_id <> 'p1'`);
    expect(none).toEqual([]);
  });
});

describe.each(SECONDARY)('a %s client no longer sees the opted-out patient', (purpose) => {
  const get = (path: string) => withSystem(tokens[purpose]!, 'GET', path);

  it('in searches of every type, while it still sees everyone else', async () => {
    const found = await everything(get);
    expect(ofP1(found)).toEqual([]);
    expect(found).toEqual(expect.arrayContaining(['Patient/p2', 'Patient/p3', 'Observation/p2-linked']));
    expect(found).toEqual(expect.arrayContaining(['Organization/org-gp', 'Group/g-cohort']));
  });

  it('reads, history and $everything answer exactly as for an absent id', async () => {
    const sameAsAbsent = async (hiddenPath: string, absentPath: string) => {
      const hidden = await get(hiddenPath);
      const missing = await get(absentPath);
      expect(hidden.status).toBe(404);
      expect(missing.status).toBe(404);
      const id = (path: string): string => path.split('/')[1]!;
      expect(JSON.stringify(hidden.body).replaceAll(id(hiddenPath), id(absentPath))).toBe(JSON.stringify(missing.body));
    };
    await sameAsAbsent('Patient/p1', 'Patient/nobody');
    await sameAsAbsent('Condition/p1-gp-cond', 'Condition/nobody');
    await sameAsAbsent('Patient/p1/_history', 'Patient/nobody/_history');
    await sameAsAbsent('Patient/p1/$everything', 'Patient/nobody/$everything');
    expect(ofP1(entries(await get('Condition/_history')))).toEqual([]);
    expect(entries(await get('Patient/p2/$everything'))).toContain('Observation/p2-linked');
  });

  it('_include and _revinclude return none of their resources', async () => {
    const included = entries(await get('Observation?_id=p2-linked&_include=Observation:performer'), 'include');
    expect(included).toEqual([]);
    const members = entries(await get('Observation?_id=p2-linked&_include=Observation:has-member'), 'include');
    expect(members).toEqual([]);
    const registered = entries(
      await get('Organization?_id=org-gp&_revinclude=Patient:general-practitioner'),
      'include',
    );
    expect(registered).toContain('Patient/p2');
    expect(registered).not.toContain('Patient/p1');
    const cohort = entries(await get('Group?_id=g-cohort&_include=Group:member'), 'include');
    expect(cohort).toEqual(['Patient/p2', 'Patient/p3']);
    // For direct care, the same searches include them.
    const direct = (path: string) => withSystem(tokens.direct!, 'GET', path);
    expect(entries(await direct('Observation?_id=p2-linked&_include=Observation:performer'), 'include')).toEqual([
      'RelatedPerson/rp1',
    ]);
    expect(entries(await direct('Group?_id=g-cohort&_include=Group:member'), 'include')).toContain('Patient/p1');
  });

  it('chains and _has cannot tell whether their data exists', async () => {
    const total = async (path: string) => {
      const response = await get(`${path}&_total=accurate`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return (response.body as Bundle).total;
    };
    expect(await total('Observation?_id=p2-linked&performer:RelatedPerson.name=Carer')).toBe(0);
    expect(await total('Observation?_id=p2-linked&has-member.subject=Patient/p1')).toBe(0);
    expect(await total('Observation?_id=p2-linked&has-member:Observation.code:text=Blood')).toBe(0);
    expect(await total('Organization?_id=org-gp&_has:Patient:general-practitioner:family=One')).toBe(0);
    expect(await total('Organization?_has:Encounter:service-provider:subject=Patient/p1')).toBe(0);
    // The same searches find them for direct care.
    const direct = (path: string) => withSystem(tokens.direct!, 'GET', `${path}&_total=accurate`);
    const found = async (path: string) => ((await direct(path)).body as Bundle).total;
    expect(await found('Observation?_id=p2-linked&performer:RelatedPerson.name=Carer')).toBe(1);
    expect(await found('Observation?_id=p2-linked&has-member.subject=Patient/p1')).toBe(1);
    expect(await found('Organization?_id=org-gp&_has:Patient:general-practitioner:family=One')).toBe(1);
    expect(await found('Organization?_has:Encounter:service-provider:subject=Patient/p1')).toBe(1);
  });

  it('counts leave them out', async () => {
    const all = (
      await t.platform.db.query<{ n: string }>(
        `select count(*) as n from resource where resource_type = 'Condition' and not deleted`,
      )
    )[0]!.n;
    const theirs = [...P1_DATA].filter((r) => r.startsWith('Condition/')).length;
    const count = await get('Condition?_summary=count');
    expect(count.body.total).toBe(Number(all) - theirs);
    const accurate = await get('Condition?_total=accurate&_count=1');
    expect(accurate.body.total).toBe(Number(all) - theirs);
  });

  it('bulk export leaves them out, at system, patient and Group level, and the job keeps the purpose', async () => {
    const system = await exportAll(t, '$export', tokens[purpose]);
    expect(ofP1(refs(system.resources))).toEqual([]);
    expect(refs(system.resources)).toEqual(expect.arrayContaining(['Patient/p2', 'Patient/p3']));
    const patients = await exportAll(t, 'Patient/$export', tokens[purpose]);
    expect(ofP1(refs(patients.resources))).toEqual([]);
    const group = await exportAll(t, 'Group/g-cohort/$export', tokens[purpose]);
    expect(ofP1(refs(group.resources))).toEqual([]);
    expect(refs(group.resources)).toEqual(expect.arrayContaining(['Patient/p2', 'Patient/p3', 'Condition/p3-cond']));
    const stored = await t.platform.db.query<{ actor: { purpose?: string } | string }>(
      `select actor from bulk_export_job where actor ->> 'clientId' = $1`,
      [purpose === 'research' ? 'cohort-research' : 'icb-planning'],
    );
    expect(stored.length).toBe(3);
    for (const row of stored) {
      const actor = typeof row.actor === 'string' ? (JSON.parse(row.actor) as { purpose?: string }) : row.actor;
      expect(actor.purpose).toBe(purpose);
    }
    // A direct-care client's export still has them.
    const direct = await exportAll(t, 'Group/g-cohort/$export', tokens.direct);
    expect(ofP1(refs(direct.resources)).length).toBeGreaterThan(0);
  });

  it('is audited with its purpose (HRESCH research, CAREMGT planning), and may not read the audit trail', async () => {
    const clientId = purpose === 'research' ? 'cohort-research' : 'icb-planning';
    const log = await t.fhir('GET', `$audit-log?agent=${clientId}&_count=1000`);
    expect(log.status).toBe(200);
    const events = ((log.body as Bundle).entry ?? []).map((e) => e.resource as { purposeOfEvent?: unknown[] });
    expect(events.length).toBeGreaterThan(0);
    const code = purpose === 'research' ? 'HRESCH' : 'CAREMGT';
    for (const event of events) {
      expect(JSON.stringify(event.purposeOfEvent)).toContain(`"code":"${code}"`);
    }
    const rows = await t.platform.db.query<{ purpose: string; interaction: string }>(
      `select distinct purpose, interaction from audit_log where actor ->> 'clientId' = $1`,
      [clientId],
    );
    expect(new Set(rows.map((r) => r.purpose))).toEqual(new Set([purpose]));
    expect(rows.map((r) => r.interaction)).toContain('bulk-export');
    expect((await get('$audit-log?patient=p1')).status).toBe(403);
    expect((await get('Patient/p1/$access-log')).status).toBe(403);
  });
});

describe('direct care is never affected', () => {
  it.each(['gp', 'nurse', 'patient1', 'carer', 'direct-care client', 'client registered for direct care'])(
    '%s sees exactly what they saw before (and the new Consent where they may see Consents)',
    async (name) => {
      const search = DIRECT.find(([n]) => n === name)![1];
      const after = (await everything(search)).filter((r) => r !== `Consent/${p1OptOut.id}`);
      expect(after).toEqual(before.get(name));
    },
  );

  it('the patient, their GP and a direct-care client still read the opted-out record', async () => {
    expect((await client.as(ACTORS.patient1, 'GET', 'Condition/p1-gp-cond')).status).toBe(200);
    expect((await client.as(ACTORS.gp, 'GET', 'Condition/p1-gp-cond')).status).toBe(200);
    expect((await withSystem(tokens.direct!, 'GET', 'Patient/p1/$everything')).status).toBe(200);
    expect((await client.as(ACTORS.patient1, 'GET', `Consent/${p1OptOut.id}`)).status).toBe(200);
  });
});

describe('staff record it on the documented instruction, and withdrawing brings the patient back', () => {
  it('a GP records p2’s opt-out with the verification; p2 withdraws it', async () => {
    const recorded = await client.as(ACTORS.gp, 'POST', 'Consent', { ...optOut('p2'), ...verified('p2') });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    expect((await withSystem(tokens.research!, 'GET', 'Patient/p2')).status).toBe(404);
    const withdrawn = await client.as(ACTORS.patient2, 'PUT', `Consent/${recorded.body.id}`, {
      ...recorded.body,
      status: 'inactive',
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect((await withSystem(tokens.research!, 'GET', 'Patient/p2')).status).toBe(200);
  });

  it('p1 withdraws theirs in the portal: research and planning see them again', async () => {
    const withdrawn = await client.as(ACTORS.patient1, 'PUT', `Consent/${p1OptOut.id}`, {
      ...p1OptOut,
      status: 'inactive',
    });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(await t.platform.db.query('select 1 from access_data_opt_out')).toEqual([]);
    for (const purpose of SECONDARY) {
      const found = await everything(asSystem(tokens[purpose]!));
      expect(ofP1(found)).toEqual([...P1_DATA].sort());
    }
  });

  it('an opt-out whose period has ended, or not yet begun, hides nothing', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const ended = optOut('p1', {});
    ended.provision = { ...ended.provision!, period: { start: '2020-01-01', end: yesterday } };
    expect((await client.as(ACTORS.patient1, 'POST', 'Consent', ended)).status).toBe(201);
    const later = optOut('p1', {});
    later.provision = { ...later.provision!, period: { start: '2999-01-01' } };
    expect((await client.as(ACTORS.patient1, 'POST', 'Consent', later)).status).toBe(201);
    const periods = await t.platform.db.query<{ from: string; to: string | null }>(
      `select to_char(valid_from at time zone 'UTC', 'YYYY-MM-DD') as from,
              to_char(valid_to at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as to
         from access_data_opt_out where patient_id = 'p1' order by valid_from`,
    );
    expect(periods).toEqual([
      { from: '2020-01-01', to: `${yesterday} 23:59:59` },
      { from: '2999-01-01', to: null },
    ]);
    expect((await withSystem(tokens.research!, 'GET', 'Patient/p1')).status).toBe(200);
  });
});

describe('policy.ts', () => {
  it('gives a secondary-use client the secondary-use restriction, and a direct-care client none', () => {
    expect(restrictionFor(researchActor)).toBeDefined();
    expect(restrictionFor({ ...researchActor, purpose: 'planning' })).toBeDefined();
    expect(restrictionFor({ ...researchActor, purpose: 'direct-care' })).toBeUndefined();
    expect(restrictionFor({ kind: 'system', clientId: 'x', scopes: [] })).toBeUndefined();
  });
});
