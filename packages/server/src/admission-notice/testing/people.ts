/**
 * Test fixtures for admission alerts: organisations and staff with accounts (as the sign-in would
 * know them), a patient's care team, their carers and the patient's permit.
 */
import type {
  CareTeam,
  Consent,
  Organization,
  Practitioner,
  PractitionerRole,
  RelatedPerson,
} from '@medplum/fhirtypes';
import { CONSENT_SCOPE_SYSTEM, DATA_CATEGORY_SYSTEM } from '@careweave/vocabulary';
import {
  ORGANISATION_TYPE_SYSTEM,
  type OrganisationType,
  type RelatedPersonActor,
  type StaffActor,
} from '../../access/actor.ts';
import type { TestApp } from '../../testing/app.ts';
import { CARE_TEAM_ROLE_SYSTEM } from '../involved.ts';

const ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/practitioner-role';
const TEAM_CATEGORY = 'https://careweave.example/fhir/CodeSystem/care-team-category';

export async function create<T extends { resourceType: string }>(t: TestApp, resource: T): Promise<T & { id: string }> {
  return (await t.platform.resources.create(resource.resourceType, resource as never)).resource as T & { id: string };
}

export async function organisation(t: TestApp, name: string, type: OrganisationType): Promise<string> {
  const org = await create<Organization>(t, {
    resourceType: 'Organization',
    name,
    active: true,
    type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: type }] }],
  });
  return org.id;
}

/** A member of staff with an account and one role profile (`doctor` makes them one of the practice's GPs). */
export async function staff(
  t: TestApp,
  org: { id: string; type: OrganisationType },
  who: { text: string; doctor?: boolean; rbac: string },
): Promise<StaffActor> {
  const practitioner = await create<Practitioner>(t, {
    resourceType: 'Practitioner',
    active: true,
    name: [{ given: ['Test'], family: who.text }],
  });
  await create<PractitionerRole>(t, {
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: `Practitioner/${practitioner.id}` },
    organization: { reference: `Organization/${org.id}` },
    code: [who.doctor ? { coding: [{ system: ROLE_SYSTEM, code: 'doctor' }], text: who.text } : { text: who.text }],
  });
  const userId = `user-${practitioner.id}`;
  await t.platform.db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2)`, [
    userId,
    `Practitioner/${practitioner.id}`,
  ]);
  await t.platform.db.query(
    `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, $4)`,
    [`profile-${userId}`, userId, org.id, who.rbac],
  );
  return {
    kind: 'staff',
    userId,
    practitionerId: practitioner.id,
    organizationId: org.id,
    organizationType: org.type,
    roleCode: who.rbac,
    scopes: ['user/*.cruds'],
  };
}

export interface Participant {
  member: string;
  role: string;
  onBehalfOf?: string;
  period?: { start?: string; end?: string };
}

/** An active care-coordination team for the patient (the issue 12 convention). */
export async function careTeam(t: TestApp, patientId: string, participants: readonly Participant[]): Promise<string> {
  const team = await create<CareTeam>(t, {
    resourceType: 'CareTeam',
    status: 'active',
    category: [{ coding: [{ system: TEAM_CATEGORY, code: 'care-coordination' }] }],
    subject: { reference: `Patient/${patientId}` },
    participant: participants.map((p) => ({
      role: [{ coding: [{ system: CARE_TEAM_ROLE_SYSTEM, code: p.role }] }],
      member: { reference: p.member },
      ...(p.onBehalfOf ? { onBehalfOf: { reference: p.onBehalfOf } } : {}),
      ...(p.period ? { period: p.period } : {}),
    })),
  });
  return team.id;
}

/** A RelatedPerson of the patient, and their actor. */
export async function relatedPerson(t: TestApp, patientId: string, family: string): Promise<RelatedPersonActor> {
  const person = await create<RelatedPerson>(t, {
    resourceType: 'RelatedPerson',
    active: true,
    patient: { reference: `Patient/${patientId}` },
    name: [{ given: ['Test'], family }],
  });
  return {
    kind: 'related-person',
    userId: `user-${person.id}`,
    relatedPersonId: person.id,
    patientId,
    scopes: ['patient/*.cruds'],
  };
}

/** The patient's permit for `person` to see these categories (docs/ACCESS.md, Patient consent). */
export async function permit(
  t: TestApp,
  patientId: string,
  person: string,
  categories: readonly string[],
): Promise<void> {
  await create<Consent>(t, {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patientId}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'CAREGIVER' }] },
          reference: { reference: person },
        },
      ],
      code: categories.map((code) => ({ coding: [{ system: DATA_CATEGORY_SYSTEM, code }] })),
    },
  });
}

/** An HL7 v2 date/time `days` ago (UTC digits; the listener reads them as Europe/London). */
export function hl7DaysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
