/**
 * Notifications (docs/NOTIFICATIONS.md): one service that tells a person something — an inbox item
 * in CareWeave, a text message, an e-mail — with each notification a FHIR Communication in the
 * record. Other modules `use('notifications').notify(…)`, usually from a reaction; people read their
 * inbox and set their preferences under /api/notifications.
 */
import { defineModule, type ModuleContext } from '../modules/contract.ts';
import { InboxService } from './inbox.service.ts';
import { NOTIFICATION_MIGRATIONS } from './migrations.ts';
import {
  DELIVER_BATCH,
  DELIVER_QUEUE,
  DIGEST_QUEUE,
  NotificationService,
  type EmailSender,
} from './notification.service.ts';
import { registerNotificationRoutes } from './routes.ts';
import { seedDemoNotifications } from './seed.ts';
import type { NotificationKind } from './types.ts';

export { NotificationService, digestText, type EmailSender } from './notification.service.ts';
export * from './types.ts';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    notifications: NotificationService;
  }
}

/** Kinds every installation has; modules register their own (`registerKind`) at set-up. */
const BUILT_IN_KINDS: readonly NotificationKind[] = [
  { kind: 'message', title: 'Messages for you', defaultChannels: ['inbox'] },
  { kind: 'result', title: 'New results', defaultChannels: ['inbox'] },
  { kind: 'referral', title: 'Referrals', defaultChannels: ['inbox'] },
  { kind: 'reminder', title: 'Reminders', defaultChannels: ['inbox'] },
  { kind: 'system', title: 'About CareWeave', defaultChannels: ['inbox'] },
];

/** The e-mail module's service when one is installed (src/gateways/email/), else undefined. */
function emailService(context: ModuleContext): EmailSender | undefined {
  try {
    // Looked up by name: the e-mail module declares its own ModuleServices entry when it exists.
    return (context.use as (name: string) => unknown)('email') as EmailSender;
  } catch {
    return undefined;
  }
}

export const notificationsModule = defineModule({
  name: 'notifications',
  title: 'Notifications: inbox, text messages and e-mail',
  requires: ['sms'],
  migrations: NOTIFICATION_MIGRATIONS,
  systemScopes: ['system/Communication.cruds', 'system/*.rs'],
  setup: (context) => {
    const service = new NotificationService({
      db: context.db,
      system: context.system,
      accessFor: (actor) => context.accessFor(actor),
      systemActor: context.systemActor,
      jobs: context.jobs,
      sms: () => context.use('sms'),
      email: () => emailService(context),
      baseUrl: context.core.baseUrl,
      log: context.log,
    });
    for (const kind of BUILT_IN_KINDS) {
      service.registerKind(kind);
    }
    const inbox = new InboxService({
      db: context.db,
      system: context.system,
      accessFor: (actor) => context.accessFor(actor),
      audit: context.audit,
      notifications: service,
    });
    return {
      provides: { notifications: service },
      apiScopes: { read: ['Communication.rs'], write: ['Communication.u'] },
      routes: (app) => registerNotificationRoutes(app, context, inbox),
      jobs: [
        {
          name: DELIVER_QUEUE,
          // 'exclusive': one waiting or running job per notification and channel (its singletonKey).
          options: {
            policy: 'exclusive',
            retryLimit: 5,
            retryDelay: 30,
            retryBackoff: true,
            retryDelayMax: 3600,
            expireInSeconds: 120,
          },
          // A fan-out is delivered DELIVER_BATCH at a time, each batch in one transaction.
          batch: {
            size: DELIVER_BATCH,
            handler: (jobs) => service.deliver(jobs as Parameters<NotificationService['deliver']>[0]),
          },
        },
        {
          // Every 15 minutes: the digests whose time (Europe/London) has come.
          name: DIGEST_QUEUE,
          schedule: { cron: '*/15 * * * *' },
          handler: async () => {
            await service.sendDueDigests();
          },
        },
      ],
      seed: (demo) => seedDemoNotifications(context, service, demo),
    };
  },
});
