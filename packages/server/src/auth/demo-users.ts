import {
  ACT_CODE_SYSTEM,
  CONSENT_SCOPE_SYSTEM,
  COURSE_OF_THERAPY_SYSTEM,
  LOINC_SYSTEM,
  NHS_NUMBER_SYSTEM,
  ROLE_CODE_SYSTEM,
} from '@careweave/vocabulary';
import type { Resource } from '@medplum/fhirtypes';
import { DATA_CATEGORY_SYSTEM } from '../access/actor.ts';
import { ensureDemoRecord } from '../platform/demo-record.ts';
import { buildInfrastructureModel, staffFor } from '../seed/infrastructure.ts';
import type { AuthPlatform } from './context.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import { AuthStore, type RoleCode } from './store.ts';

export interface DemoLogin {
  username: string;
  /** Set only when the account was created now: it is shown once and stored nowhere. */
  password?: string;
  description: string;
}

interface DemoStaff {
  username: string;
  displayName: string;
  description: string;
  practitionerId: string;
  profiles: { organizationId: string; roleCode: RoleCode; practitionerRoleId?: string }[];
}

const FALLBACK_DEMO_PATIENT_ID = 'pat-000001';
const DEMO_CARER_ID = 'rp-demo-carer';

type Resources = AuthPlatform['resources'];

/** The patient `demo.patient` already signs in as, if the account exists. */
async function existingDemoPatient(store: AuthStore): Promise<string | undefined> {
  const fhirUser = (await store.userByLogin('demo.patient'))?.fhirUser;
  return fhirUser?.startsWith('Patient/') ? fhirUser.slice('Patient/'.length) : undefined;
}

async function hasRepeatMedicine(resources: Resources, patientId: string): Promise<boolean> {
  const orders = await resources.search('MedicationRequest', [
    ['subject', `Patient/${patientId}`],
    ['status', 'active'],
    ['_count', '100'],
  ]);
  return (orders.entry ?? []).some((entry) => {
    const order = entry.resource as { courseOfTherapyType?: { coding?: { system?: string; code?: string }[] } };
    return order.courseOfTherapyType?.coding?.some(
      (c) => c.system === COURSE_OF_THERAPY_SYSTEM && c.code === 'continuous',
    );
  });
}

/**
 * The demo patient: the first living adult (by id) registered at demo.gp's practice who has a
 * repeat medicine, so that a newcomer with the printed logins can order a repeat prescription as
 * demo.patient and approve it as demo.gp (2,000 demo patients always have one). Deterministic for a
 * seed; falls back to the first adult there, then to pat-000001 (a tiny population).
 */
async function chooseDemoPatient(resources: Resources, practiceOrgId: string): Promise<string> {
  const adultsBorn = `le${new Date().getUTCFullYear() - 18}`;
  const candidates = await resources.search('Patient', [
    ['general-practitioner', `Organization/${practiceOrgId}`],
    ['deceased', 'false'],
    ['birthdate', adultsBorn],
    ['_sort', '_id'],
    ['_count', '50'],
  ]);
  const ids = (candidates.entry ?? []).flatMap((entry) => (entry.resource?.id ? [entry.resource.id] : []));
  for (const id of ids) {
    if (await hasRepeatMedicine(resources, id)) {
      return id;
    }
  }
  return ids[0] ?? FALLBACK_DEMO_PATIENT_ID;
}

/**
 * Demo sign-ins for the demo population (seed 1): one account per kind of person the access rules
 * distinguish. Passwords are random, returned (for `careweave start` to print) only when the
 * account is created; `careweave user set-password <username>` makes a new one. Existing accounts
 * are left alone, so this is safe to run on every start. Not run in production.
 */
export async function ensureDemoUsers(platform: AuthPlatform, seed = 1): Promise<DemoLogin[]> {
  if (platform.config.production) {
    return [];
  }
  const store = new AuthStore(platform.db);
  const resources = platform.resources;
  const model = buildInfrastructureModel(seed);
  const exists = async (type: string, id: string): Promise<boolean> =>
    resources.read(type, id).then(
      () => true,
      () => false,
    );
  const put = async (resource: Resource): Promise<void> => {
    await resources.update(resource.resourceType, resource.id!, resource);
  };
  const newStaff = async (
    id: string,
    given: string,
    family: string,
    orgId: string,
    roleText: string,
  ): Promise<void> => {
    if (!(await exists('Practitioner', id))) {
      await put({
        resourceType: 'Practitioner',
        id,
        active: true,
        name: [{ use: 'official', family, given: [given] }],
      });
    }
    const roleId = `prrole-${id.slice('prac-'.length)}`;
    if (!(await exists('PractitionerRole', roleId))) {
      await put({
        resourceType: 'PractitionerRole',
        id: roleId,
        active: true,
        practitioner: { reference: `Practitioner/${id}` },
        organization: { reference: `Organization/${orgId}` },
        code: [{ text: roleText }],
      });
    }
  };

  const practice = model.practices[0]!;
  const gp = practice.gps[0]!;
  const nurse = staffFor(model, 'community', 'district-nurse')[0]!;
  const socialWorker = staffFor(model, 'council', 'social-worker')[0]!;
  const communityOrg = model.orgIds.get('community')!;
  const councilOrg = model.orgIds.get('council')!;
  const ccgOrg = model.orgIds.get('ccg')!;
  const ambulanceOrg = model.orgIds.get('ambulance')!;
  const paramedic = staffFor(model, 'ambulance', 'paramedic')[0]!;
  const careHome = model.careHomes[0]!;
  if (!(await exists('Organization', practice.orgId)) || !(await exists('Practitioner', gp.id))) {
    return [];
  }

  await newStaff('prac-demo-carehome', 'Morgan', 'Ashworth', careHome.orgId, 'Registered care home manager');
  await newStaff('prac-demo-privacy', 'Priya', 'Shah', practice.orgId, 'Privacy officer');
  await newStaff('prac-demo-reception', 'Rachel', 'Hughes', practice.orgId, 'Receptionist');
  await newStaff('prac-demo-commissioner', 'Chris', 'Whitfield', ccgOrg, 'Commissioning analyst');
  await newStaff('prac-demo-practiceadmin', 'Sam', 'Oduya', practice.orgId, 'Practice administrator');
  // Population health and care coordination (issue 12): the community team's matron and the single
  // point of access's care coordinator; the ambulance clinician is the trust's first paramedic.
  await newStaff('prac-demo-matron', 'Helen', 'Marsden', communityOrg, 'Community matron');
  await newStaff('prac-demo-coordinator', 'Aisha', 'Begum', communityOrg, 'Care coordinator (single point of access)');
  // Electronic referrals (issue 13): the acute trust's consultant, its referral triager (an advanced
  // practice physiotherapist who reviews MSK referrals) and its booking clerk (R8008: the referral and
  // its Task are care-plans and other data, which the clerical role R8010 may not see).
  const acuteOrg = model.orgIds.get('acute')!;
  await newStaff('prac-demo-consultant', 'Omar', 'Farouk', acuteOrg, 'Consultant orthopaedic surgeon');
  await newStaff(
    'prac-demo-triager',
    'Grace',
    'Okafor',
    acuteOrg,
    'Referral triager (advanced practice physiotherapist)',
  );
  await newStaff('prac-demo-bookingclerk', 'Dylan', 'Price', acuteOrg, 'Booking clerk (outpatient appointments)');
  // The practice's first nurse runs its telehealth: the demo enrolments there are hers (telehealth/seed.ts).
  const practiceNurse = practice.nurses[0]!;
  const gpCommunityRole = 'prrole-demo-gp-community';
  if (!(await exists('PractitionerRole', gpCommunityRole))) {
    await put({
      resourceType: 'PractitionerRole',
      id: gpCommunityRole,
      active: true,
      practitioner: { reference: `Practitioner/${gp.id}` },
      organization: { reference: `Organization/${communityOrg}` },
      code: [{ text: 'GP with extended role (community frailty service)' }],
    });
  }

  const staff: DemoStaff[] = [
    {
      username: 'demo.gp',
      displayName: `Dr ${gp.given} ${gp.family}`,
      description: `GP (R8000) at ${practice.def.name}; also a community frailty role: chooses a role at sign-in`,
      practitionerId: gp.id,
      profiles: [
        { organizationId: practice.orgId, roleCode: 'R8000', practitionerRoleId: gp.roleId },
        { organizationId: communityOrg, roleCode: 'R8000', practitionerRoleId: gpCommunityRole },
      ],
    },
    {
      username: 'demo.nurse',
      displayName: `${nurse.given} ${nurse.family}`,
      description: 'Community (district) nurse (R8001), West Lancashire Community Health Services',
      practitionerId: nurse.id,
      profiles: [{ organizationId: communityOrg, roleCode: 'R8001', practitionerRoleId: nurse.roleId }],
    },
    {
      username: 'demo.socialworker',
      displayName: `${socialWorker.given} ${socialWorker.family}`,
      description: 'Social worker (R8003), Lancashire County Council Adult Social Care',
      practitionerId: socialWorker.id,
      profiles: [{ organizationId: councilOrg, roleCode: 'R8003', practitionerRoleId: socialWorker.roleId }],
    },
    {
      username: 'demo.carehome',
      displayName: 'Morgan Ashworth',
      description: `Care home manager (R8003), ${careHome.def.name}: the demo patient's medicines and allergies, by their permit`,
      practitionerId: 'prac-demo-carehome',
      profiles: [{ organizationId: careHome.orgId, roleCode: 'R8003', practitionerRoleId: 'prrole-demo-carehome' }],
    },
    {
      username: 'demo.privacy',
      displayName: 'Priya Shah',
      description: `Privacy officer (R0001), ${practice.def.name}`,
      practitionerId: 'prac-demo-privacy',
      profiles: [{ organizationId: practice.orgId, roleCode: 'R0001', practitionerRoleId: 'prrole-demo-privacy' }],
    },
    {
      username: 'demo.reception',
      displayName: 'Rachel Hughes',
      description: `Receptionist (R8010 clerical), ${practice.def.name}: patients' details and appointments, no clinical record`,
      practitionerId: 'prac-demo-reception',
      profiles: [{ organizationId: practice.orgId, roleCode: 'R8010', practitionerRoleId: 'prrole-demo-reception' }],
    },
    {
      username: 'demo.telehealth',
      displayName: `${practiceNurse.given} ${practiceNurse.family}`,
      description: `Practice nurse (R8001) at ${practice.def.name}: telehealth enrolments, alerts and the team dashboard`,
      practitionerId: practiceNurse.id,
      profiles: [{ organizationId: practice.orgId, roleCode: 'R8001', practitionerRoleId: practiceNurse.roleId }],
    },
    {
      username: 'demo.practiceadmin',
      displayName: 'Sam Oduya',
      description: `Practice administrator (R8010 clerical), ${practice.def.name}: practice text messages, reminders and recalls`,
      practitionerId: 'prac-demo-practiceadmin',
      profiles: [
        { organizationId: practice.orgId, roleCode: 'R8010', practitionerRoleId: 'prrole-demo-practiceadmin' },
      ],
    },
    {
      username: 'demo.commissioner',
      displayName: 'Chris Whitfield',
      description:
        'Commissioning analyst (R8012 information officer), NHS West Lancashire CCG: pseudonymised lists only',
      practitionerId: 'prac-demo-commissioner',
      profiles: [{ organizationId: ccgOrg, roleCode: 'R8012', practitionerRoleId: 'prrole-demo-commissioner' }],
    },
    {
      username: 'demo.matron',
      displayName: 'Helen Marsden',
      description: 'Community matron (R8001), West Lancashire Community Health Services: risk lists and the case list',
      practitionerId: 'prac-demo-matron',
      profiles: [{ organizationId: communityOrg, roleCode: 'R8001', practitionerRoleId: 'prrole-demo-matron' }],
    },
    {
      username: 'demo.coordinator',
      displayName: 'Aisha Begum',
      description: 'Care coordinator (R8003), the single point of access at West Lancashire Community Health Services',
      practitionerId: 'prac-demo-coordinator',
      profiles: [{ organizationId: communityOrg, roleCode: 'R8003', practitionerRoleId: 'prrole-demo-coordinator' }],
    },
    {
      username: 'demo.ambulance',
      displayName: `${paramedic.given} ${paramedic.family}`,
      description: 'Paramedic (R8003), North West Ambulance Service: core personal profiles of high-risk patients',
      practitionerId: paramedic.id,
      profiles: [{ organizationId: ambulanceOrg, roleCode: 'R8003', practitionerRoleId: paramedic.roleId }],
    },
    {
      username: 'demo.consultant',
      displayName: 'Dr Omar Farouk',
      description:
        'Consultant orthopaedic surgeon (R8000), Southport and Ormskirk Hospital: referrals, clinics, discharge',
      practitionerId: 'prac-demo-consultant',
      profiles: [{ organizationId: acuteOrg, roleCode: 'R8000', practitionerRoleId: 'prrole-demo-consultant' }],
    },
    {
      username: 'demo.triager',
      displayName: 'Grace Okafor',
      description: 'Referral triager (R8003), Southport and Ormskirk Hospital: reviews referrals, returns with advice',
      practitionerId: 'prac-demo-triager',
      profiles: [{ organizationId: acuteOrg, roleCode: 'R8003', practitionerRoleId: 'prrole-demo-triager' }],
    },
    {
      username: 'demo.bookingclerk',
      displayName: 'Dylan Price',
      description: 'Booking clerk (R8008), Southport and Ormskirk Hospital: awaiting-booking and slot-issues worklists',
      practitionerId: 'prac-demo-bookingclerk',
      profiles: [{ organizationId: acuteOrg, roleCode: 'R8008', practitionerRoleId: 'prrole-demo-bookingclerk' }],
    },
  ];

  const logins: DemoLogin[] = [];
  const create = async (
    username: string,
    description: string,
    fields: { displayName: string; fhirUser?: string; nhsNumber?: string; isAdmin?: boolean },
  ): Promise<string | undefined> => {
    if (await store.userByLogin(username)) {
      logins.push({ username, description });
      return undefined;
    }
    const password = generatePassword();
    const user = await store.createUser({ username, passwordHash: await hashPassword(password), ...fields });
    logins.push({ username, password, description });
    return user.id;
  };

  for (const person of staff) {
    const userId = await create(person.username, person.description, {
      displayName: person.displayName,
      fhirUser: `Practitioner/${person.practitionerId}`,
    });
    if (userId) {
      for (const profile of person.profiles) {
        await store.addRoleProfile(userId, profile);
      }
    }
  }

  const demoPatientId = (await existingDemoPatient(store)) ?? (await chooseDemoPatient(resources, practice.orgId));
  if (await exists('Patient', demoPatientId)) {
    const stored = await resources.read('Patient', demoPatientId);
    const patient = JSON.parse(stored.json ?? '{}') as {
      identifier?: { system?: string; value?: string }[];
      name?: { given?: string[]; family?: string }[];
    };
    const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
    const name = [patient.name?.[0]?.given?.[0], patient.name?.[0]?.family].filter(Boolean).join(' ');
    if (nhsNumber) {
      await create('demo.patient', `Patient ${name} (NHS number ${nhsNumber}), signs in to the portal`, {
        displayName: name,
        fhirUser: `Patient/${demoPatientId}`,
        nhsNumber,
      });
    }
    if (!(await exists('RelatedPerson', DEMO_CARER_ID))) {
      await put({
        resourceType: 'RelatedPerson',
        id: DEMO_CARER_ID,
        active: true,
        patient: { reference: `Patient/${demoPatientId}` },
        relationship: [
          {
            coding: [{ system: ROLE_CODE_SYSTEM, code: 'CHILD', display: 'child' }],
            text: 'Daughter and main carer',
          },
        ],
        name: [{ use: 'official', family: 'Carter', given: ['Jess'] }],
      });
      // The patient's permission for their carer to see and book on their behalf (docs/ACCESS.md).
      await resources.create('Consent', {
        resourceType: 'Consent',
        status: 'active',
        scope: {
          coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }],
        },
        category: [{ coding: [{ system: LOINC_SYSTEM, code: '59284-0', display: 'Patient Consent' }] }],
        patient: { reference: `Patient/${demoPatientId}` },
        policyRule: { coding: [{ system: ACT_CODE_SYSTEM, code: 'OPTIN' }] },
        provision: {
          type: 'permit',
          actor: [
            {
              role: { coding: [{ system: ROLE_CODE_SYSTEM, code: 'CAREGIVER' }] },
              reference: { reference: `RelatedPerson/${DEMO_CARER_ID}` },
            },
          ],
          code: ['demographics', 'medications', 'encounters', 'appointments', 'allergies'].map((code) => ({
            coding: [{ system: DATA_CATEGORY_SYSTEM, code }],
          })),
        },
      });
    }
    await create('demo.carer', `Carer (RelatedPerson/${DEMO_CARER_ID}) for ${name}, with the patient's consent`, {
      displayName: 'Jess Carter',
      fhirUser: `RelatedPerson/${DEMO_CARER_ID}`,
    });
    await ensureDemoRecord(resources, {
      patientId: demoPatientId,
      practiceOrgId: practice.orgId,
      gpId: gp.id,
      communityOrgId: communityOrg,
      nurseId: nurse.id,
      councilOrgId: councilOrg,
      socialWorkerId: socialWorker.id,
      careHomeOrgId: careHome.orgId,
    });
  }

  await create(
    'demo.admin',
    'Administrator: users, organisations and apps in the web app, the admin API and `careweave` commands (no patient data)',
    {
      displayName: 'CareWeave administrator',
      isAdmin: true,
    },
  );
  return logins;
}

/** Lines for `careweave start` to print. */
export function formatDemoLogins(logins: readonly DemoLogin[]): string[] {
  if (!logins.length) {
    return [];
  }
  const width = Math.max(...logins.map((l) => l.username.length));
  return [
    'Demo sign-ins (passwords are shown once, when the account is created; reset with `careweave user set-password <username>`):',
    ...logins.map(
      (l) => `  ${l.username.padEnd(width)}  ${(l.password ?? '(already set)').padEnd(23)}  ${l.description}`,
    ),
  ];
}
