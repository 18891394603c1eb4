/**
 * Fixtures for the hub's integration tests: the access scenario (docs/ACCESS.md) with accounts, the
 * community provider (org-comm) as the single point of access, a hub information-sharing agreement
 * between the practice, the community provider and social care (the partners of the MDT), and a
 * patient registered at the practice. The scenario's community nurse is the care coordinator.
 */
import type { Patient } from '@medplum/fhirtypes';
import { actorClient, type UserActor } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario, officer } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

export const PATIENT = 'coord-p1';
export const OTHER_PATIENT = 'coord-p2';
export const COORDINATOR = ACTORS.nurse;

export interface HubTestApp {
  t: TestApp;
  api(
    actor: UserActor,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

const patient = (id: string, family: string, nhs: string): Patient => ({
  resourceType: 'Patient',
  id,
  name: [{ use: 'official', given: ['Edna'], family }],
  birthDate: '1936-02-11',
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs }],
  generalPractitioner: [{ reference: 'Organization/org-gp' }],
  managingOrganization: { reference: 'Organization/org-gp' },
});

export async function hubTestApp(): Promise<HubTestApp> {
  const t = await createTestApp({ CAREWEAVE_COORDINATION_SPA_ORGANIZATION: 'org-comm' });
  await t.app.ready();
  const { access } = await loadScenario(t.platform.db, t.fhirBase);
  for (const actor of Object.values(ACTORS)) {
    if (actor.kind !== 'staff') {
      continue;
    }
    await t.platform.db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2)`, [
      actor.userId,
      `Practitioner/${actor.practitionerId}`,
    ]);
    await t.platform.db.query(
      `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, $4)`,
      [`profile-${actor.userId}`, actor.userId, actor.organizationId, actor.roleCode],
    );
  }
  await t.platform.db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2)`, [
    ACTORS.patient1.userId,
    `Patient/${ACTORS.patient1.patientId}`,
  ]);
  const partners = ['org-gp', 'org-comm', 'org-sc'];
  const agreement = await access.agreements.create(officer('org-icb'), {
    title: 'Care coordination hub',
    lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
    purposes: ['direct-care', 'care-coordination'],
    validFrom: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    providers: partners,
    recipients: partners,
    recipientRoles: [],
    categories: ['demographics', 'problems', 'care-plans', 'documents', 'other'],
  });
  for (const org of partners) {
    await access.agreements.sign(officer(org), agreement.id);
  }
  await t.platform.resources.update('Patient', PATIENT, patient(PATIENT, 'Hargreaves', '9434765919'));
  await t.platform.resources.update('Patient', OTHER_PATIENT, patient(OTHER_PATIENT, 'Ollerton', '9434765870'));
  const client = actorClient(t);
  return {
    t,
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
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
    },
    close: () => t.close(),
  };
}

/** Tomorrow (a due date in the future), as YYYY-MM-DD. */
export const tomorrow = (): string => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
