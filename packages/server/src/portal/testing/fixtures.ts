import type { MedicationRequest, Patient } from '@medplum/fhirtypes';
import type { Platform } from '../../http/app.ts';

interface DemoUsersModule {
  ensureDemoUsers(platform: Platform): Promise<{ username: string; description: string }[]>;
}
interface PasswordsModule {
  hashPassword(password: string): Promise<string>;
}
interface AuthStoreLike {
  userByLogin(login: string): Promise<{ id: string; fhirUser?: string } | undefined>;
  setPassword(id: string, hash: string): Promise<boolean>;
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

/** The patient `demo.patient` signs in as (src/auth/demo-users.ts chooses one at demo.gp's practice). */
export async function demoPatientId(platform: Platform): Promise<string | undefined> {
  const store = await optional<StoreModule>('../../auth/store.ts');
  const user = store ? await new store.AuthStore(platform.db).userByLogin('demo.patient') : undefined;
  return user?.fhirUser?.replace(/^Patient\//, '');
}

/**
 * What the portal journeys need beyond the demo sign-ins: a repeat prescription for the demo
 * patient when the small test population gave them none (the 2,000-patient demo always does).
 * demo.gp works at the demo patient's practice, so approves it.
 */
export async function portalFixtures(platform: Platform): Promise<void> {
  const { resources } = platform;
  const patientId = await demoPatientId(platform);
  if (!patientId) {
    return;
  }
  const patient = JSON.parse((await resources.read('Patient', patientId)).json ?? '{}') as Patient;
  const practiceId = patient.generalPractitioner?.[0]?.reference?.split('/').pop();
  const orders = await resources.search('MedicationRequest', [
    ['subject', `Patient/${patientId}`],
    ['status', 'active'],
    ['_count', '100'],
  ]);
  const hasRepeat = (orders.entry ?? []).some((e) =>
    (e.resource as MedicationRequest).courseOfTherapyType?.coding?.some((c) => c.code === 'continuous'),
  );
  if (!practiceId || hasRepeat) {
    return;
  }
  const repeat: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: 'e2e-repeat-salbutamol',
    meta: { source: `Organization/${practiceId}` },
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { text: 'Salbutamol 100 micrograms inhaler' },
    subject: { reference: `Patient/${patientId}` },
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
}
