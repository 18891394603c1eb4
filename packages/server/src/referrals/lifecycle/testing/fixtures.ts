/**
 * Fixtures for the lifecycle's integration tests: the access scenario (docs/ACCESS.md) with accounts,
 * an agreement between the practice (org-gp) and the acute trust (org-acute), a patient registered at
 * the practice, and the referrals module around a stand-in directory (two services of the trust, slots
 * in memory, bookings written as the caller's Appointment), so that the lifecycle is tested whatever
 * the state of the real directory. The real directory's own tests cover search and booking.
 */
import type { Appointment, Patient, Slot } from '@medplum/fhirtypes';
import type { Actor, PatientActor, StaffActor } from '../../../access/actor.ts';
import { actorClient, type UserActor } from '../../../access/testing/actor-client.ts';
import { ACTORS, loadScenario, officer } from '../../../access/testing/scenario.ts';
import { CARE_MODULES } from '../../../care-modules.ts';
import { conflict } from '../../../fhir/outcome.ts';
import { defineModule, type CareModule, type ModuleContext } from '../../../modules/contract.ts';
import { createTestApp, type TestApp } from '../../../testing/app.ts';
import { referralsModule, referralsParts } from '../../index.ts';
import type { ReferralsSettings } from '../../settings.ts';
import type { DirectoryPort, ServiceOptionLike } from '../directory-port.ts';

export const PATIENT = 'ref-p1';
export const GP = ACTORS.gp;
export const TRIAGER = ACTORS.acute;
const staff = (id: string, org: string, type: StaffActor['organizationType'], roleCode: string): StaffActor => ({
  kind: 'staff',
  userId: `user-${id}`,
  practitionerId: `pr-${id}`,
  organizationId: org,
  organizationType: type,
  roleCode,
  scopes: ['user/*.cruds'],
});
export const CLERK = staff('acute-clerk', 'org-acute', 'acute-trust', 'R8008');
export const OTHER_GP = staff('gp2', 'org-gp2', 'gp-practice', 'R8000');
export const COMMISSIONER = staff('icb-analyst', 'org-icb', 'commissioner', 'R8012');
export const THE_PATIENT: PatientActor = { kind: 'patient', userId: 'user-ref-p1', patientId: PATIENT, scopes: [] };

const day = 86_400_000;
const at = (days: number): string => new Date(Date.now() + days * day).toISOString();

const services = (provider: { id: string; name: string }): ServiceOptionLike[] => [
  {
    serviceId: 'svc-msk',
    name: 'MSK clinic, Ormskirk',
    provider,
    directlyBookable: true,
    triage: false,
    eligible: true,
    indicativeWaitDays: 3,
  },
  {
    serviceId: 'svc-msk-ras',
    name: 'MSK referral assessment service',
    provider,
    directlyBookable: false,
    triage: true,
    eligible: true,
  },
  {
    serviceId: 'svc-cardio',
    name: 'Cardiology clinic (long wait)',
    provider,
    directlyBookable: true,
    triage: false,
    eligible: true,
    indicativeWaitDays: 200,
  },
  {
    serviceId: 'svc-closed',
    name: 'Closed list',
    provider,
    directlyBookable: true,
    triage: false,
    eligible: false,
    ineligibleReason: 'Not commissioned for this practice',
  },
];

/** A directory in memory: free slots per service, taken once. */
export class StandInDirectory implements DirectoryPort {
  readonly slots = new Map<string, { serviceId: string; start: string; taken: boolean }>([
    ['slot-msk-1', { serviceId: 'svc-msk', start: at(3), taken: false }],
    ['slot-msk-2', { serviceId: 'svc-msk', start: at(5), taken: false }],
    ['slot-msk-late', { serviceId: 'svc-msk', start: at(300), taken: false }],
    ['slot-ras-1', { serviceId: 'svc-msk-ras', start: at(10), taken: false }],
    ['slot-cardio-1', { serviceId: 'svc-cardio', start: at(200), taken: false }],
  ]);
  private readonly context: Pick<ModuleContext, 'recordAs'>;
  private readonly provider: { id: string; name: string };

  constructor(context: Pick<ModuleContext, 'recordAs'>, provider = { id: 'org-acute', name: 'Acute Trust' }) {
    this.context = context;
    this.provider = provider;
  }

  search(_actor: Actor, query: { specialty: string }): Promise<ServiceOptionLike[]> {
    return Promise.resolve(
      ['msk', 'trauma-orthopaedics', 'cardiology', 'dermatology'].includes(query.specialty)
        ? services(this.provider)
        : [],
    );
  }

  freeSlots(_actor: Actor, serviceId: string, window?: { to?: string }): Promise<Slot[]> {
    return Promise.resolve(
      [...this.slots.entries()]
        .filter(([, s]) => s.serviceId === serviceId && !s.taken && (!window?.to || s.start <= window.to))
        .sort((a, b) => a[1].start.localeCompare(b[1].start))
        .map(([id, s]) => ({
          resourceType: 'Slot',
          id,
          status: 'free',
          start: s.start,
          end: s.start,
          schedule: { reference: 'Schedule/x' },
        })),
    );
  }

  async book(actor: Actor, input: { slotId: string; patientId: string; basedOn?: string }): Promise<Appointment> {
    const slot = this.slots.get(input.slotId);
    if (!slot || slot.taken) {
      conflict('The slot is no longer free');
    }
    slot.taken = true;
    const created = await this.context.recordAs(actor).create('Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      start: slot.start,
      end: new Date(new Date(slot.start).getTime() + 1_800_000).toISOString(),
      ...(input.basedOn ? { basedOn: [{ reference: input.basedOn }] } : {}),
      participant: [{ actor: { reference: `Patient/${input.patientId}` }, status: 'accepted' }],
    });
    return created.resource as Appointment;
  }

  cancel(): Promise<Appointment> {
    return Promise.reject(new Error('not used'));
  }
}

export interface LifecycleTestApp {
  t: TestApp;
  directory: StandInDirectory;
  api(actor: UserActor, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: any }>;
  fhirAs(actor: UserActor, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

const patient = (id: string): Patient => ({
  resourceType: 'Patient',
  id,
  name: [{ use: 'official', given: ['Margaret'], family: 'Ashcroft', prefix: ['Mrs'] }],
  birthDate: '1954-06-01',
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
  generalPractitioner: [{ reference: 'Organization/org-gp' }],
  managingOrganization: { reference: 'Organization/org-gp' },
});

/** The referrals module around a stand-in directory whose services belong to `provider`. */
export function referralsWithStandIn(provider?: { id: string; name: string }): {
  module: CareModule;
  directory: () => StandInDirectory;
} {
  let directory: StandInDirectory | undefined;
  const module = defineModule({
    ...referralsModule,
    setup: (context: ModuleContext<ReferralsSettings>) => {
      directory = new StandInDirectory(context, provider);
      return referralsParts(context, { service: directory, parts: {} });
    },
  });
  return { module, directory: () => directory! };
}

export async function lifecycleTestApp(): Promise<LifecycleTestApp> {
  const standIn = referralsWithStandIn();
  const module = standIn.module;
  const t = await createTestApp({}, { modules: CARE_MODULES.map((m) => (m.name === 'referrals' ? module : m)) });
  await t.app.ready();
  const { access } = await loadScenario(t.platform.db, t.fhirBase);
  const people: UserActor[] = [...Object.values(ACTORS), CLERK, OTHER_GP, COMMISSIONER].filter(
    (a): a is StaffActor => a.kind === 'staff',
  );
  for (const actor of people) {
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
    THE_PATIENT.userId,
    `Patient/${PATIENT}`,
  ]);
  const partners = ['org-gp', 'org-acute'];
  const agreement = await access.agreements.create(officer('org-icb'), {
    title: 'Electronic referrals',
    lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(h)',
    purposes: ['direct-care'],
    validFrom: new Date(Date.now() - day).toISOString().slice(0, 10),
    providers: partners,
    recipients: partners,
    recipientRoles: [],
    categories: [
      'demographics',
      'problems',
      'medications',
      'results',
      'care-plans',
      'documents',
      'appointments',
      'other',
    ],
  });
  for (const org of partners) {
    await access.agreements.sign(officer(org), agreement.id);
  }
  await t.platform.resources.update('Patient', PATIENT, patient(PATIENT));
  const client = actorClient(t);
  const call =
    (prefix: string, type: string) => async (actor: UserActor, method: 'GET' | 'POST', url: string, body?: unknown) => {
      const response = await t.app.inject({
        method,
        url: `${prefix}${url}`,
        headers: {
          authorization: `Bearer ${await client.tokenFor(actor)}`,
          ...(body !== undefined ? { 'content-type': type } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
    };
  return {
    t,
    directory: standIn.directory(),
    api: call('', 'application/json'),
    fhirAs: call('/fhir/R4/', 'application/fhir+json'),
    close: () => t.close(),
  };
}
