import type { Practitioner } from '@medplum/fhirtypes';
import { actorClient, type UserActor } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import type { NotificationService } from '../notification.service.ts';

export const GP_MOBILE = '+447700900111';

export interface InboxTestApp {
  t: TestApp;
  notifications: NotificationService;
  /** A request to the app as a scenario person, with their own token (not the system client). */
  api(
    actor: UserActor,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The scenario's staff get accounts with one role profile each, as sign-up would give them. */
async function accounts(t: TestApp): Promise<void> {
  for (const actor of Object.values(ACTORS)) {
    if (actor.kind === 'system') {
      continue;
    }
    const person =
      actor.kind === 'staff'
        ? `Practitioner/${actor.practitionerId}`
        : actor.kind === 'patient'
          ? `Patient/${actor.patientId}`
          : `RelatedPerson/${actor.relatedPersonId}`;
    await t.platform.db.query(
      `insert into auth_user (id, username, fhir_user) values ($1, $1, $2) on conflict do nothing`,
      [actor.userId, person],
    );
    if (actor.kind === 'staff') {
      await t.platform.db.query(
        `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, $4)
         on conflict do nothing`,
        [`profile-${actor.userId}`, actor.userId, actor.organizationId, actor.roleCode],
      );
    }
  }
}

/** The access scenario (docs/ACCESS.md) with accounts, the GP's mobile, and the job queue running. */
export async function inboxTestApp(): Promise<InboxTestApp> {
  const t = await createTestApp();
  await t.app.ready();
  await loadScenario(t.platform.db, t.fhirBase);
  await accounts(t);
  const gp: Practitioner = {
    resourceType: 'Practitioner',
    id: ACTORS.gp.practitionerId,
    active: true,
    name: [{ given: ['Grace'], family: 'Practice' }],
    telecom: [{ system: 'phone', value: '07700 900111', use: 'mobile' }],
  };
  await t.platform.resources.update('Practitioner', gp.id!, gp);
  const client = actorClient(t);
  return {
    t,
    notifications: t.app.modules.use('notifications'),
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

/** The text messages sent about a notification. */
export async function textsAbout(t: TestApp, id: string): Promise<{ phone: string; body: string; status: string }[]> {
  return t.platform.db.query(`select phone, body, status from sms_message where reference = $1 order by created_at`, [
    `Communication/${id}`,
  ]);
}
