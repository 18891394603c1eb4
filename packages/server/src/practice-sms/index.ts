/**
 * Practice SMS (docs/PRACTICE-SMS.md): appointment reminders with reply-to-cancel, recalls for
 * reviews, "your results are normal" texts, the practice's two-way text inbox, and templates with
 * merge fields — through the SMS module's gateways and opt-outs.
 */
import { z } from 'zod';
import { defineModule } from '../modules/contract.ts';
import { ConversationService } from './conversations.service.ts';
import { InboundService } from './inbound.service.ts';
import { Messenger } from './messenger.ts';
import { PRACTICE_SMS_MIGRATIONS } from './migrations.ts';
import { RecallService } from './recalls.service.ts';
import { ReminderService } from './reminders.service.ts';
import { ResultsService } from './results.service.ts';
import { registerPracticeSmsRoutes } from './routes.ts';
import { seedPracticeSms, sendDemoTexts, type DemoTexts } from './seed.ts';
import { TemplateService } from './templates.service.ts';

export const REMINDER_QUEUE = 'practice-sms-reminders';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    'practice-sms': { reminders: ReminderService };
  }
}

export const practiceSmsModule = defineModule({
  name: 'practice-sms',
  title: 'Practice text messages',
  requires: ['sms', 'notifications'],
  settings: z.object({
    /** How long after a reminder a CANCEL reply still cancels (days). */
    REPLY_DAYS: z.coerce.number().int().min(1).max(14).default(7),
  }),
  migrations: PRACTICE_SMS_MIGRATIONS,
  setup: (context) => {
    const messenger = new Messenger(() => context.use('sms'));
    const reminders = new ReminderService(context, messenger);
    const inbound = new InboundService(context, messenger, reminders);
    const services = {
      reminders,
      conversations: new ConversationService(context, messenger),
      recalls: new RecallService(context, messenger),
      results: new ResultsService(context, messenger),
      templates: new TemplateService(context),
    };
    // A bare "CANCEL" is an opt-out keyword: offered here first, it cancels only after a reminder.
    context.use('sms').onReplyWord((message, { tx }) => inbound.claimReplyWord(message, tx));
    let demoTexts: DemoTexts | undefined;
    return {
      provides: { 'practice-sms': { reminders } },
      apiScopes: { read: ['Patient.rs', 'Communication.rs', 'Appointment.rs'], write: ['Communication.c'] },
      routes: (app) => registerPracticeSmsRoutes(app, services),
      jobs: [
        {
          name: REMINDER_QUEUE,
          // Every 15 minutes (Europe/London): each appointment is claimed once, so overlap is harmless.
          schedule: { cron: '*/15 * * * *' },
          options: { retryLimit: 1, expireInSeconds: 600 },
          handler: async () => {
            await reminders.sendDue();
          },
        },
      ],
      inboundSms: (message, { tx }) => inbound.handle(message, tx),
      seed: async (demo) => {
        demoTexts = await seedPracticeSms(context, demo);
      },
      // The demo's texts need the job queue, which runs only once the app is ready.
      start: async () => {
        if (!demoTexts) {
          return;
        }
        const pending = demoTexts;
        demoTexts = undefined;
        // Demo data must never stop the server from starting.
        await sendDemoTexts(context, services, pending).catch((error: unknown) =>
          context.log.error({ err: error }, 'practice SMS demo texts were not sent'),
        );
      },
    };
  },
});
