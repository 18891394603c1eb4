/**
 * Admission alerts (issue 12; docs/ADMISSION-ALERTS.md), grown from issue 9's admission notice:
 * when a patient is admitted or attends A&E — an HL7 v2 A01/A04 over MLLP, or a FHIR Encounter
 * write — the people involved in their care are told within seconds, each as they chose; transfers
 * and discharges follow in the same thread; a discharge starts the practice's follow-up Tasks, and
 * an overdue one is escalated.
 */
import { z } from 'zod';
import { defineModule } from '../modules/contract.ts';
import { AdmissionAlerts, ALERT_KIND, FOLLOW_UP_KIND } from './alerts.service.ts';
import { admissionReaction } from './reaction.ts';
import { seedAdmissionAlerts } from './seed.ts';

export { ADMISSION_SMS } from './alert.ts';
export { registeredGps } from './involved.ts';
export { isInpatient } from './occasion.ts';

export const ESCALATION_QUEUE = 'admission-follow-up-escalation';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    /** The alerts service: its escalation run, for the job and for tests. */
    'admission-notice': AdmissionAlerts;
  }
}

export const admissionNoticeModule = defineModule({
  name: 'admission-notice',
  title: 'Admission alerts',
  requires: ['notifications'],
  settings: z.object({
    // Fourteen days: the whole follow-up checklist; an older admission or discharge is history (H-154).
    MAX_AGE_HOURS: z.coerce.number().int().min(1).max(8760).default(336),
  }),
  // It writes only its alerts and the follow-up Tasks; it reads what decides who is involved.
  systemScopes: ['system/Communication.cruds', 'system/Task.cruds', 'system/*.rs'],
  setup: (context) => {
    const notifications = context.use('notifications');
    notifications.registerKind({
      kind: ALERT_KIND,
      // The title people already know in their preferences; it covers A&E attendances, moves and discharges too.
      title: 'Your patients admitted to hospital',
      defaultChannels: ['inbox', 'sms'],
    });
    notifications.registerKind({
      kind: FOLLOW_UP_KIND,
      title: 'Overdue follow-up after a hospital discharge',
      defaultChannels: ['inbox', 'sms'],
    });
    const alerts = new AdmissionAlerts(context, notifications, { maxAgeHours: context.settings.MAX_AGE_HOURS });
    return {
      provides: { 'admission-notice': alerts },
      reactions: [admissionReaction(alerts)],
      routes: async (app) => (await import('./thread.routes.ts')).registerThreadRoutes(app, context),
      jobs: [
        {
          name: ESCALATION_QUEUE,
          // Every 15 minutes, Europe/London; the Task's priority marks it escalated, so once only.
          schedule: { cron: '*/15 * * * *' },
          options: { retryLimit: 2, expireInSeconds: 600 },
          handler: async () => {
            const escalated = await alerts.escalateOverdue();
            if (escalated) {
              context.log.info({ escalated }, 'overdue discharge follow-ups escalated');
            }
          },
        },
      ],
      seed: async (demo) => {
        await seedAdmissionAlerts(context.system, alerts, demo);
      },
    };
  },
});
