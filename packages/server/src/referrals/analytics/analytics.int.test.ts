/**
 * Referral analytics on a demo population with its referral history (PGlite and PostgreSQL): what the
 * commissioner sees (every practice, small numbers suppressed), what a GP sees (their practice and
 * the area), and the attacks with a valid account — another practice's figures, staff of a trust, a
 * patient, a narrowed token, no token — each refused with an OperationOutcome and audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientActor, StaffActor } from '../../access/actor.ts';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ensureDemoUsers } from '../../auth/demo-users.ts';
import { mintToken } from '../../auth/testing/tokens.ts';
import { emailModule } from '../../gateways/email/index.ts';
import { smsModule } from '../../gateways/sms/index.ts';
import type { CareModule } from '../../modules/contract.ts';
import { notificationsModule } from '../../notifications/index.ts';
import { ensureDemoAgreement } from '../../platform/demo-agreement.ts';
import { buildInfrastructureModel } from '../../seed/infrastructure.ts';
import { loadSeedPopulation } from '../../seed/load.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { referralsWithStandIn } from '../lifecycle/testing/fixtures.ts';
import type { Dashboard } from './analytics.service.ts';

const model = buildInfrastructureModel(1);
const PRACTICE = model.practices[0]!.orgId;
const OTHER_PRACTICE = model.practices[1]!.orgId;
const staff = (
  id: string,
  organizationId: string,
  type: StaffActor['organizationType'],
  roleCode: string,
): StaffActor => ({
  kind: 'staff',
  userId: `user-${id}`,
  practitionerId: `pr-${id}`,
  organizationId,
  organizationType: type,
  roleCode,
  scopes: ['user/*.cruds'],
});
const COMMISSIONER = staff('analyst', model.orgIds.get('ccg')!, 'commissioner', 'R8012');
const GP = staff('gp', PRACTICE, 'gp-practice', 'R8000');
const TRUST = staff('consultant', model.orgIds.get('acute')!, 'acute-trust', 'R8000');

let t: TestApp;
let client: ReturnType<typeof actorClient>;
let patient: PatientActor;
let seedLog: string[];
beforeAll(async () => {
  t = await createTestApp(
    {},
    {
      modules: [
        smsModule,
        emailModule,
        notificationsModule,
        referralsWithStandIn({ id: 'org-rvy', name: 'Southport and Ormskirk Hospital NHS Trust' }).module,
      ] as CareModule[],
    },
  );
  await loadSeedPopulation(t.platform.resources, { patients: 300, seed: 1 });
  await ensureDemoAgreement(t.platform);
  await ensureDemoUsers(t.platform, 1);
  await t.app.ready();
  seedLog = [];
  await t.app.modules.seed({ seed: 1, log: (line) => seedLog.push(line) });
  client = actorClient(t);
  const [first] = await t.platform.db.query<{ id: string }>(
    `select id from resource where resource_type = 'Patient' and not deleted order by id limit 1`,
  );
  patient = { kind: 'patient', userId: 'user-analytics-patient', patientId: first!.id, scopes: [] };
}, 600_000);
afterAll(async () => t?.close());

const get = async (token: string | undefined, url: string) => {
  const response = await t.app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.statusCode, headers: response.headers, text: response.body };
};
const as = async (actor: StaffActor | PatientActor, url: string) => get(await client.tokenFor(actor), url);
const DASHBOARD = '/api/referrals/analytics/dashboard';
const COUNT_KEYS = ['referrals', 'electronic', 'adviceRequests', 'rejected', 'returned', 'slotIssues', 'dna'] as const;

describe('the demo history', () => {
  it('has referrals from every practice, some not electronic, written in seconds and once', async () => {
    const line = seedLog.find((l) => l.includes('referral history'));
    expect(line, seedLog.join('\n')).toMatch(/\d+ referrals over 13 months, \d+ not electronic/);
    const before = await t.platform.db.query(
      `select count(*) as n from resource where resource_type = 'ServiceRequest'`,
    );
    await t.app.modules.seed({ seed: 1, log: () => undefined });
    const after = await t.platform.db.query(
      `select count(*) as n from resource where resource_type = 'ServiceRequest'`,
    );
    expect(after).toEqual(before);
  });
});

describe("the commissioner's dashboard", () => {
  let dashboard: Dashboard;
  beforeAll(async () => {
    const response = await as(COMMISSIONER, DASHBOARD);
    expect(response.status, response.text).toBe(200);
    dashboard = JSON.parse(response.text) as Dashboard;
  });

  it('shows every practice against the area, with the targets and funnels', () => {
    expect(dashboard.view).toBe('commissioner');
    expect(dashboard.practices.length).toBeGreaterThan(5);
    expect(dashboard.area.referrals).toEqual(expect.any(Number));
    expect(dashboard.targets).toEqual([0.8, 1]);
    expect(dashboard.trend).toHaveLength(12);
    expect(dashboard.funnels.map((f) => f.measure)).toEqual(['electronic', 'referralRate', 'rejection', 'dna']);
    expect(dashboard.funnels[0]!.curve.length).toBeGreaterThan(3);
    // Some referrals are on paper: the area's share is below 100% (each practice's is often suppressed here).
    expect(dashboard.area.electronicShare).toBeGreaterThan(0.6);
    expect(dashboard.area.electronicShare).toBeLessThan(1);
  });

  it('never shows a count from 1 to 4, nor a rate made from one', () => {
    for (const row of [dashboard.area, ...dashboard.practices]) {
      for (const key of COUNT_KEYS) {
        const value = row[key];
        expect(
          value === '<5' || value === 0 || (typeof value === 'number' && value >= 5),
          `${row.id} ${key} ${value}`,
        ).toBe(true);
      }
      if (row.dna === '<5') {
        expect(row.dnaRate).toBeNull();
      }
      if (row.referrals === '<5') {
        expect(row.electronicShare).toBeNull();
      }
    }
    for (const specialty of dashboard.specialties) {
      for (const p of specialty.practices) {
        expect(p.observed === '<5' || p.observed === 0 || p.observed >= 5).toBe(true);
      }
    }
  });

  it('exports the same table as CSV', async () => {
    const response = await as(COMMISSIONER, `/api/referrals/analytics/dashboard.csv?specialty=msk`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/csv/);
    const lines = response.text.trim().split('\n');
    expect(lines[0]).toMatch(/^Practice,Practice id,Registered patients,Referrals,Electronic referrals/);
    expect(lines.length).toBe(dashboard.practices.length + 2);
    // The count columns (Referrals … Did not attend) never hold 1 to 4.
    const header = lines[0]!.split(',');
    const counts = ['Referrals', 'Electronic referrals', 'Rejected', 'Slot issues', 'Did not attend'].map((h) =>
      header.indexOf(h),
    );
    for (const line of lines.slice(1)) {
      const cells = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      for (const index of counts) {
        expect(cells[index], line).not.toMatch(/^[1-4]$/);
      }
    }
  });

  it('refuses a filter it does not know (400)', async () => {
    expect((await as(COMMISSIONER, `${DASHBOARD}?from=2026-13`)).status).toBe(400);
    expect((await as(COMMISSIONER, `${DASHBOARD}?patient=x`)).status).toBe(400);
  });
});

describe("a GP's dashboard", () => {
  it('shows their own practice, unsuppressed, and the area', async () => {
    const response = await as(GP, `${DASHBOARD}?specialty=msk`);
    expect(response.status, response.text).toBe(200);
    const dashboard = JSON.parse(response.text) as Dashboard;
    expect(dashboard.view).toBe('practice');
    expect(dashboard.practices.map((p) => p.id)).toEqual([PRACTICE]);
    expect(dashboard.practice?.id).toBe(PRACTICE);
    expect(dashboard.funnels.every((f) => f.points.every((p) => p.id === PRACTICE))).toBe(true);
    expect(dashboard.specialties.every((s) => s.practices.every((p) => p.id === PRACTICE))).toBe(true);
  });
});

describe('attacks with a valid account', () => {
  const denied = async (userId: string): Promise<number> => {
    const [row] = await t.platform.db.query<{ n: string }>(
      `select count(*) as n from audit_log where decision = 'deny' and actor ->> 'userId' = $1 and query like '%referral analytics%'`,
      [userId],
    );
    return Number(row!.n);
  };

  it.each([
    ["a GP asking for another practice's figures", GP, `${DASHBOARD}?practice=${OTHER_PRACTICE}`],
    [
      'a GP asking for the CSV of another practice',
      GP,
      `/api/referrals/analytics/dashboard.csv?practice=${OTHER_PRACTICE}`,
    ],
    ['a consultant at the trust', TRUST, DASHBOARD],
  ])('%s: 403 OperationOutcome, audited', async (_name, actor, url) => {
    const before = await denied(actor.userId);
    const response = await as(actor, url);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.text).resourceType).toBe('OperationOutcome');
    expect(response.text).not.toMatch(/"referrals"/);
    expect(await denied(actor.userId)).toBe(before + 1);
  });

  it('a patient: 403, audited', async () => {
    const before = await denied(patient.userId);
    const response = await as(patient, DASHBOARD);
    expect(response.status).toBe(403);
    expect(await denied(patient.userId)).toBe(before + 1);
  });

  it("a commissioner's token narrowed to Observations: 403 from the scope guard", async () => {
    await client.tokenFor(COMMISSIONER);
    const narrow = await mintToken(t.platform, {
      sub: COMMISSIONER.userId,
      client_id: 'careweave-web',
      scope: 'openid fhirUser user/Observation.rs',
      fhirUser: `${t.fhirBase}/Practitioner/${COMMISSIONER.practitionerId}`,
      role_profile: { organization: COMMISSIONER.organizationId, role: COMMISSIONER.roleCode },
    });
    const response = await get(narrow, DASHBOARD);
    expect(response.status).toBe(403);
    expect(response.text).toMatch(/OperationOutcome/);
  });

  it('a token that is not one: 401', async () => {
    expect((await get('nonsense', DASHBOARD)).status).toBe(401);
  });
});
