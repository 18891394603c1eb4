import type { ContactPoint, Practitioner, Resource } from '@medplum/fhirtypes';
import type { DemoSeed, ModuleContext } from '../modules/contract.ts';
import type { NotificationService } from './notification.service.ts';
import { mobileOf } from './recipients.ts';
import type { NotifyInput } from './types.ts';

/** The demo GP's mobile when their record has none: Ofcom's drama range, reaches nobody. */
export const DEMO_GP_MOBILE = '07700 900900';

async function fhirUser(context: ModuleContext, username: string): Promise<string | undefined> {
  const [row] = await context.db.query<{ fhirUser: string | null }>(
    `select fhir_user as "fhirUser" from auth_user where lower(username) = $1`,
    [username],
  );
  return row?.fhirUser ?? undefined;
}

async function first(context: ModuleContext, type: string, query: [string, string][]): Promise<Resource | undefined> {
  const bundle = await context.system.search(type, [...query, ['_count', '1']]);
  return bundle.entry?.[0]?.resource;
}

/**
 * A few notifications in demo.gp's inbox so the page means something on first start, and a mobile
 * number on their Practitioner so the phone simulator shows the texts of real admissions. Written
 * once: nothing is added when demo.gp already has notifications.
 */
export async function seedDemoNotifications(
  context: ModuleContext,
  service: NotificationService,
  demo: DemoSeed,
): Promise<void> {
  const gp = await fhirUser(context, 'demo.gp');
  const patient = await fhirUser(context, 'demo.patient');
  if (!gp?.startsWith('Practitioner/') || !patient?.startsWith('Patient/')) {
    return;
  }
  const practitioner = JSON.parse(
    (await context.system.read('Practitioner', gp.slice(13))).json ?? '{}',
  ) as Practitioner;
  if (!mobileOf(practitioner.telecom)) {
    const mobile: ContactPoint = { system: 'phone', value: DEMO_GP_MOBILE, use: 'mobile' };
    await context.system.update('Practitioner', practitioner.id!, {
      ...practitioner,
      telecom: [...(practitioner.telecom ?? []), mobile],
    });
  }
  const [existing] = await context.db.query('select 1 from notification where recipient = $1 limit 1', [gp]);
  if (existing) {
    return;
  }
  const encounter = await first(context, 'Encounter', [
    ['subject', patient],
    ['_sort', '-date'],
  ]);
  const result = await first(context, 'Observation', [
    ['subject', patient],
    ['category', 'laboratory'],
    ['_sort', '-date'],
  ]);
  const base = { recipient: gp, subject: patient };
  const notes: NotifyInput[] = [
    {
      ...base,
      kind: 'system',
      category: 'system',
      priority: 'routine',
      subject: undefined,
      title: 'Welcome to your CareWeave notifications',
      text: 'Admissions, results and referrals about your patients appear here. Choose how you are told in Preferences.',
    },
    ...(result
      ? [
          {
            ...base,
            kind: 'result',
            category: 'result',
            priority: 'routine',
            about: `Observation/${result.id}`,
            title: 'New laboratory result',
            text: 'A new laboratory result has been filed for your patient. Review it and file or action it.',
          } satisfies NotifyInput,
        ]
      : []),
    ...(encounter && service.knownKinds().has('admission-notice')
      ? [
          {
            ...base,
            kind: 'admission-notice',
            category: 'admission',
            priority: 'urgent',
            about: `Encounter/${encounter.id}`,
            title: 'Your patient was seen in hospital',
            text: 'Your patient has an encounter recorded by another organisation. Open their record for details.',
          } satisfies NotifyInput,
        ]
      : []),
  ];
  let sent = 0;
  for (const note of notes) {
    const { subject, ...rest } = note;
    const outcome = await service.notify({ ...rest, ...(subject ? { subject } : {}) }, { inboxOnly: true });
    sent += outcome.status === 'sent' ? 1 : 0;
  }
  demo.log(`  ${sent} notifications in demo.gp's inbox`);
}
