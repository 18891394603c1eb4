/**
 * SMS reminders of referral appointments (docs/REFERRALS.md, "Reminders"): planned in step with every
 * Appointment write (a write effect), sent by a job every five minutes that claims the due ones once
 * across instances. Other parts (tests, the CLI) reach the sender as `use('referral-reminders')`.
 */
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import { reminderPlanEffect } from './plan.ts';
import { ReminderService } from './reminder.service.ts';

export const REMINDER_QUEUE = 'referrals-reminders';

declare module '../../modules/contract.ts' {
  interface ModuleServices {
    'referral-reminders': ReminderService;
  }
}

export function reminderParts(context: ModuleContext<{ REMINDER_DAYS: number[] }>): ModuleParts {
  const service = new ReminderService(context);
  return {
    provides: { 'referral-reminders': service },
    writeEffects: [reminderPlanEffect(context.settings.REMINDER_DAYS)],
    jobs: [
      {
        name: REMINDER_QUEUE,
        // Every five minutes: a reminder is a day or a week ahead, so five minutes late is on time.
        schedule: { cron: '*/5 * * * *' },
        options: { retryLimit: 0, expireInSeconds: 300 },
        handler: async () => {
          await service.sendDue(new Date());
        },
      },
    ],
  };
}
