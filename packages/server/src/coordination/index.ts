/**
 * The care coordination hub (issue 12; docs/COORDINATION.md): referrals into the community's single
 * point of access and their triage, a case list per coordinator, multidisciplinary care plans
 * (CarePlan, Goal, Task) with tasks assigned across organisations and escalated when overdue, and MDT
 * meetings with outcomes and review dates. FHIR-native: the module's one table records escalations.
 */
import { registerOperations } from '../fhir/operations/registry.ts';
import { defineModule } from '../modules/contract.ts';
import { CaseloadService } from './caseload.service.ts';
import { DirectoryService } from './directory.service.ts';
import { ESCALATION_JOB, escalateOverdue } from './escalation.ts';
import { MdtService } from './mdt.service.ts';
import { COORDINATION_MIGRATIONS } from './migrations.ts';
import { TRIAGE } from './operations/triage.ts';
import { PlanService } from './plan.service.ts';
import { ReferralService } from './referral.service.ts';
import { registerCoordinationRoutes } from './routes.ts';
import { seedCoordinationDemo } from './seed.ts';
import { COORDINATION_SETTINGS } from './settings.ts';

/** What the hub offers other modules (e.g. "add to case list" from the risk lists). */
export interface CoordinationServices {
  referrals: ReferralService;
  plans: PlanService;
  /** "Add to case list" from the risk list: the caller's caseload, or a referral to the SPA. */
  caseload: CaseloadService;
  escalate(now?: Date): Promise<number>;
}

declare module '../modules/contract.ts' {
  interface ModuleServices {
    coordination: CoordinationServices;
  }
}

export const coordinationModule = defineModule({
  name: 'coordination',
  title: 'Care coordination hub',
  requires: ['notifications'],
  settings: COORDINATION_SETTINGS,
  migrations: COORDINATION_MIGRATIONS,
  setup: (context) => {
    const referrals = new ReferralService(context);
    const plans = new PlanService(context);
    const caseload = new CaseloadService(context, referrals, plans);
    const meetings = new MdtService(context);
    const directory = new DirectoryService(context);
    const notifications = context.use('notifications');
    notifications.registerKind({
      kind: 'coordination-referral',
      title: 'Care coordination referrals and cases',
      defaultChannels: ['inbox'],
    });
    notifications.registerKind({
      kind: 'coordination-task',
      title: 'Care plan tasks assigned to you',
      defaultChannels: ['inbox'],
    });
    notifications.registerKind({
      kind: 'coordination-task-overdue',
      title: 'Overdue care plan tasks',
      defaultChannels: ['inbox', 'sms'],
    });
    return {
      provides: { coordination: { referrals, plans, caseload, escalate: (now) => escalateOverdue(context, now) } },
      fhir: (fhir) => registerOperations(fhir, { referrals, context }, [TRIAGE]),
      apiScopes: {
        read: ['Patient.rs', 'CarePlan.rs', 'Task.rs'],
        write: ['ServiceRequest.c', 'CarePlan.cu', 'Goal.c', 'Task.cu'],
      },
      routes: (app) =>
        registerCoordinationRoutes(app, {
          actorOf: (request) => context.actorOf(request),
          referrals,
          plans,
          meetings,
          directory,
        }),
      jobs: [
        {
          name: ESCALATION_JOB,
          // Every 15 minutes, Europe/London; each task is escalated once (coordination_escalation).
          schedule: { cron: '*/15 * * * *' },
          options: { retryLimit: 3, expireInSeconds: 600 },
          handler: async () => {
            await escalateOverdue(context);
          },
        },
      ],
      seed: async ({ seed, log }) => {
        const made = await seedCoordinationDemo(context, { referrals, plans, meetings }, seed);
        if (made) {
          log(`Coordination: ${made}`);
        }
      },
    };
  },
});
