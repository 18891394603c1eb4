import type { OperationOutcome } from '@medplum/fhirtypes';
import { mintToken } from '../../auth/testing/tokens.ts';
import type { FhirResponse, TestApp } from '../../testing/app.ts';
import type { PatientActor, RelatedPersonActor, StaffActor } from '../actor.ts';

export type UserActor = StaffActor | PatientActor | RelatedPersonActor;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The FHIR API as scenario users see it: each actor gets an account and a token as the sign-in
 * would issue it (`user/*.cruds` for staff, `patient/*.cruds` otherwise), minted once per app.
 */
export function actorClient(t: TestApp): {
  tokenFor(actor: UserActor): Promise<string>;
  as(
    actor: UserActor,
    method: Method,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<FhirResponse>;
} {
  const tokens = new Map<UserActor, string>();
  const tokenFor = async (actor: UserActor): Promise<string> => {
    const known = tokens.get(actor);
    if (known) {
      return known;
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
    const token = await mintToken(t.platform, {
      sub: actor.userId,
      client_id: 'careweave-web',
      scope: actor.kind === 'staff' ? 'openid fhirUser user/*.cruds' : 'openid fhirUser patient/*.cruds',
      fhirUser: `${t.fhirBase}/${person}`,
      ...(actor.kind === 'staff'
        ? { role_profile: { organization: actor.organizationId, role: actor.roleCode } }
        : { patient: actor.patientId }),
    });
    tokens.set(actor, token);
    return token;
  };
  return {
    tokenFor,
    as: async (actor, method, path, body, headers = {}) =>
      t.fhir(method, path, body, { authorization: `Bearer ${await tokenFor(actor)}`, ...headers }),
  };
}

/** The diagnostics of an OperationOutcome response, joined. */
export function diagnostics(response: FhirResponse): string {
  return ((response.body as OperationOutcome).issue ?? []).map((i) => i.diagnostics ?? '').join(' ');
}
