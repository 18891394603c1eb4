/**
 * A seeded population for population health's integration tests: 300 synthetic patients (the seed's
 * organisations and records), scored with the published model, a commissioning agreement from two
 * practices to the CCG, and staff accounts: GPs of two practices, a district nurse with no patients,
 * and a commissioning analyst.
 */
import { AgreementRepository } from '../../access/agreements.repository.ts';
import type { StaffActor } from '../../access/actor.ts';
import { actorClient } from '../../access/testing/actor-client.ts';
import { eventually } from '../../events/testing.ts';
import { loadSeedPopulation } from '../../seed/load.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { publishedModel } from '../model/registry.ts';
import type { ScoringService } from '../scoring/scoring.service.ts';

export const CCG = 'org-02g';
export const COMMUNITY = 'org-8wl01';

export interface PopulationTestApp {
  t: TestApp;
  scoring: ScoringService;
  /** The two practices with the most patients, the first sharing for commissioning. */
  practiceA: string;
  practiceB: string;
  gpA: StaffActor;
  gpB: StaffActor;
  nurse: StaffActor;
  commissioner: StaffActor;
  api(
    actor: StaffActor,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

const staff = (id: string, org: string, type: StaffActor['organizationType'], roleCode: string): StaffActor => ({
  kind: 'staff',
  userId: `user-${id}`,
  practitionerId: `pr-${id}`,
  organizationId: org,
  organizationType: type,
  roleCode,
  scopes: ['user/*.cruds'],
});

export async function populationTestApp(patients = 300): Promise<PopulationTestApp> {
  const t = await createTestApp();
  await t.app.ready();
  await loadSeedPopulation(t.platform.resources, { patients, seed: 3 });
  // The load's events go through the outbox first (subscriptions, reactions): wait for them, so the
  // tests' own events are heard within seconds, as in a running system.
  const drained = Date.now();
  await eventually(async () => {
    const [row] = await t.platform.db.query<{ n: string }>('select count(*) as n from subscription_event');
    return Number(row!.n) === 0;
  }, 200_000);
  process.stderr.write(`outbox drained in ${Date.now() - drained} ms\n`);
  const practices = await t.platform.db.query<{ org: string }>(
    `select split_part(v.content::jsonb #>> '{generalPractitioner,0,reference}', '/', 2) as org, count(*) as n
       from current_resource v where v.resource_type = 'Patient' group by 1 order by 2 desc, 1 limit 2`,
  );
  const practiceA = practices[0]!.org;
  const practiceB = practices[1]!.org;
  const gpA = staff('gp-a', practiceA, 'gp-practice', 'R8000');
  const gpB = staff('gp-b', practiceB, 'gp-practice', 'R8000');
  const nurse = staff('dn', COMMUNITY, 'community', 'R8001');
  const commissioner = staff('analyst', CCG, 'commissioner', 'R8012');
  for (const actor of [gpA, gpB, nurse, commissioner]) {
    await t.platform.db.query(
      `insert into auth_user (id, username, fhir_user) values ($1, $1, $2) on conflict do nothing`,
      [actor.userId, `Practitioner/${actor.practitionerId}`],
    );
    await t.platform.db.query(
      `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, $4) on conflict do nothing`,
      [`profile-${actor.userId}`, actor.userId, actor.organizationId, actor.roleCode],
    );
  }
  const agreements = new AgreementRepository(t.platform.db);
  await agreements.insert({
    id: 'test-commissioning',
    title: 'Risk stratification for commissioning (test)',
    purposes: ['commissioning'],
    lawfulBasis: 'test',
    validFrom: '2020-01-01',
    validTo: null,
    providers: [practiceA],
    recipients: [CCG],
    recipientRoles: [],
    categories: ['other'],
    createdBy: {},
  });
  for (const party of [practiceA, CCG]) {
    await agreements.sign('test-commissioning', party, 'Practitioner/x', 'user-x');
  }
  const scoring = t.app.modules.use('population-health').scoring;
  await scoring.refreshHistories();
  await scoring.scoreAll(publishedModel('ea12-v1'));
  const client = actorClient(t);
  return {
    t,
    scoring,
    practiceA,
    practiceB,
    gpA,
    gpB,
    nurse,
    commissioner,
    api: async (actor, method, url, body) => {
      const response = await t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${await client.tokenFor(actor)}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      const text = response.body;
      const json = (response.headers['content-type'] ?? '').toString().includes('json');
      return { status: response.statusCode, body: json && text ? JSON.parse(text) : text, headers: response.headers };
    },
    close: () => t.close(),
  };
}
