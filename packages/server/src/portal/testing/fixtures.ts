import type { Patient, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { Platform } from '../../http/app.ts';

/** The demo patient of src/auth/demo-users.ts. */
export const DEMO_PATIENT_ID = 'pat-000001';
export const PRACTICE_LOGIN = 'e2e.practice';

interface DemoUsersModule {
  ensureDemoUsers(platform: Platform): Promise<{ username: string; description: string }[]>;
}
interface PasswordsModule {
  hashPassword(password: string): Promise<string>;
}
interface AuthStoreLike {
  userByLogin(login: string): Promise<{ id: string } | undefined>;
  setPassword(id: string, hash: string): Promise<boolean>;
  createUser(user: {
    username: string;
    displayName?: string;
    passwordHash?: string;
    fhirUser?: string;
  }): Promise<{ id: string }>;
  addRoleProfile(
    userId: string,
    profile: { organizationId: string; roleCode: 'R8000'; practitionerRoleId?: string },
  ): Promise<unknown>;
}
interface StoreModule {
  AuthStore: new (db: Platform['db']) => AuthStoreLike;
}

interface Auth {
  users: DemoUsersModule;
  store: AuthStoreLike;
  hash: string;
}

/** Sign-in lives in src/auth/; loaded by name so the portal also runs on a server without it. */
async function optional<T>(path: string): Promise<T | undefined> {
  try {
    return (await import(path)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      return undefined;
    }
    throw error;
  }
}

async function auth(platform: Platform, password: string): Promise<Auth | undefined> {
  const users = await optional<DemoUsersModule>('../../auth/demo-users.ts');
  const passwords = await optional<PasswordsModule>('../../auth/passwords.ts');
  const store = await optional<StoreModule>('../../auth/store.ts');
  if (!users || !passwords || !store) {
    return undefined;
  }
  return { users, store: new store.AuthStore(platform.db), hash: await passwords.hashPassword(password) };
}

/** The demo sign-ins (src/auth/demo-users.ts), every one with `password`. */
export async function demoLogins(
  platform: Platform,
  password: string,
): Promise<{ username: string; description: string }[]> {
  const signIn = await auth(platform, password);
  if (!signIn) {
    return [];
  }
  const logins = await signIn.users.ensureDemoUsers(platform);
  for (const login of logins) {
    const user = await signIn.store.userByLogin(login.username);
    if (user) {
      await signIn.store.setPassword(user.id, signIn.hash);
    }
  }
  return logins.map(({ username, description }) => ({ username, description }));
}

/**
 * What the portal journeys need beyond the demo sign-ins: a repeat prescription for the demo
 * patient (a young child in the demo population may have none), and a GP sign-in at the demo
 * patient's own practice to approve it (`e2e.practice`).
 */
export async function portalFixtures(
  platform: Platform,
  password: string,
): Promise<{ username: string; description: string }[]> {
  const { resources } = platform;
  const patient = JSON.parse((await resources.read('Patient', DEMO_PATIENT_ID)).json ?? '{}') as Patient;
  const practiceId = patient.generalPractitioner?.[0]?.reference?.split('/').pop();
  if (!practiceId) {
    return [];
  }
  const repeat: Resource = {
    resourceType: 'MedicationRequest',
    id: 'e2e-repeat-salbutamol',
    meta: { source: `Organization/${practiceId}` },
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { text: 'Salbutamol 100 micrograms inhaler' },
    subject: { reference: `Patient/${DEMO_PATIENT_ID}` },
    authoredOn: new Date(Date.now() - 90 * 86_400_000).toISOString(),
    courseOfTherapyType: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' },
      ],
    },
    dosageInstruction: [{ text: 'Two puffs when needed, up to four times a day' }],
    dispenseRequest: { numberOfRepeatsAllowed: 5, quantity: { value: 1, unit: 'inhaler' } },
  };
  await resources.update('MedicationRequest', repeat.id!, repeat);

  const signIn = await auth(platform, password);
  if (!signIn) {
    return [];
  }
  const roles = await resources.search('PractitionerRole', [
    ['organization', `Organization/${practiceId}`],
    ['_count', '1'],
  ]);
  const role = roles.entry?.[0]?.resource as PractitionerRole | undefined;
  const practitioner = role?.practitioner?.reference;
  if (!role || !practitioner) {
    return [];
  }
  const existing = await signIn.store.userByLogin(PRACTICE_LOGIN);
  if (existing) {
    await signIn.store.setPassword(existing.id, signIn.hash);
  } else {
    const user = await signIn.store.createUser({
      username: PRACTICE_LOGIN,
      displayName: 'GP at the demo patient’s practice',
      passwordHash: signIn.hash,
      fhirUser: practitioner,
    });
    await signIn.store.addRoleProfile(user.id, {
      organizationId: practiceId,
      roleCode: 'R8000',
      practitionerRoleId: role.id,
    });
  }
  return [
    { username: PRACTICE_LOGIN, description: `GP (R8000) at Organization/${practiceId}, the demo patient's practice` },
  ];
}
