/**
 * Telehealth by text message (issue 11, in progress; docs/TELEHEALTH.md): the reply parser and its
 * preview operation (`PlanDefinition/$try-reply`); the protocol library, published as PlanDefinitions
 * and exported as JSON; enrolment by CarePlan; prompts when due (Europe/London, once across
 * instances, skipped after downtime); replies read, recorded, answered and escalated.
 */
import type { CarePlan } from '@medplum/fhirtypes';
import { registerOperations } from '../fhir/operations/registry.ts';
import { defineModule } from '../modules/contract.ts';
import { isTelehealthPlan } from './enrolment/careplan.ts';
import { enrolmentCheck } from './enrolment/enrolment-check.ts';
import { registerEnrolmentRoutes } from './enrolment/enrolment.routes.ts';
import { dashboardDeps, registerTeamDashboard, TELEHEALTH_SUMMARY } from './dashboard/index.ts';
import { TELEHEALTH_MIGRATIONS } from './migrations.ts';
import { TRY_REPLY } from './operations/try-reply.ts';
import { PROTOCOL_LIBRARY } from './protocols/library/index.ts';
import { ProtocolAuthoring } from './protocols/authoring.service.ts';
import { registerProtocolRoutes } from './protocols/protocol.routes.ts';
import { publishProtocols } from './protocols/publish.ts';
import { seedTelehealthDemo } from './seed.ts';
import { TelehealthService } from './telehealth.service.ts';

export const PROMPT_QUEUE = 'telehealth-prompts';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    telehealth: TelehealthService;
  }
}

export const telehealthModule = defineModule({
  name: 'telehealth',
  title: 'Telehealth by text message',
  requires: ['sms', 'notifications'],
  migrations: TELEHEALTH_MIGRATIONS,
  setup: (context) => {
    const service = new TelehealthService(context);
    // STOP pauses a number's enrolments at once; START resumes what STOP paused.
    context.use('sms').onOptChange((change, { tx }) => service.optChanged(change, tx));
    context.use('notifications').registerKind({
      kind: 'telehealth-alert',
      title: 'Telehealth alerts',
      defaultChannels: ['inbox', 'sms'],
    });
    context.use('notifications').registerKind({
      kind: 'telehealth-review',
      title: 'Telehealth protocol changes to review',
      defaultChannels: ['inbox'],
    });
    return {
      provides: { telehealth: service },
      fhir: (fhir) =>
        registerOperations(
          fhir,
          {
            ...dashboardDeps(context),
            findProtocol: async (id: string, version?: number) =>
              version === undefined
                ? (await service.protocols.latest(context.system, id))?.protocol
                : service.protocols.find(context.system, id, version),
          },
          [TRY_REPLY, TELEHEALTH_SUMMARY],
        ),
      apiScopes: {
        read: ['Patient.rs', 'CarePlan.rs', 'Observation.rs', 'Flag.rs'],
        write: ['Flag.u', 'Task.cu', 'Communication.c'],
      },
      routes: (app) => {
        registerProtocolRoutes(app, context, service.protocols, new ProtocolAuthoring(context));
        registerEnrolmentRoutes(app, context);
        registerTeamDashboard(app, context);
      },
      jobs: [
        {
          name: PROMPT_QUEUE,
          // Every minute: prompts due are claimed row by row (skip locked), so each is sent once.
          schedule: { cron: '* * * * *' },
          options: { retryLimit: 0, expireInSeconds: 300 },
          handler: async () => {
            // At most one waiting helper run (a singleton key): a big round is shared, not multiplied.
            const help = () =>
              context.jobs.sendLater(
                PROMPT_QUEUE,
                {},
                { startAfter: new Date(), singletonKey: 'telehealth-prompts:help' },
              );
            await service.sendAllDue(help);
          },
        },
      ],
      reactions: [
        {
          name: 'telehealth.enrolment',
          types: ['CarePlan'],
          interactions: ['create', 'update'],
          filter: (plan) => isTelehealthPlan(plan as CarePlan),
          handle: async (event) => {
            if (event.resource) {
              await service.enrolFromPlan(event.resource as CarePlan);
            }
          },
        },
      ],
      inboundSms: (message, { tx }) => service.handleInbound(message, tx),
      writeChecks: [enrolmentCheck(context.system, service.protocols)],
      seed: async ({ seed, log }) => {
        // The library as PlanDefinitions in the record (only what changed is written). For now with
        // the demo data; a production deployment publishes with the same function (to do: a CLI command).
        const written = await publishProtocols(context.system, PROTOCOL_LIBRARY);
        if (written) {
          log(`Telehealth: published ${written} protocol version(s) as PlanDefinitions`);
        }
        const enrolled = await seedTelehealthDemo(context.system, service, { seed });
        if (enrolled) {
          log(`Telehealth: ${enrolled} demo patients enrolled, with 90 days of readings`);
        }
      },
    };
  },
});
