/**
 * Files a telehealth summary in the GP record: a `Composition` built from what the caller may read
 * of one enrolment (readings, alerts, engagement over the period) and created through the caller's
 * own view, authored by them, so the access policy and audit apply to the write as to the reads.
 */
import type { CarePlan, Composition } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { fail } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { isTelehealthPlan } from '../enrolment/careplan.ts';
import { EnrolmentRepository, type Enrolment } from '../enrolment/enrolment.repository.ts';
import { libraryProtocol } from '../protocols/library/index.ts';
import { patientsByReference } from './alert.service.ts';
import { alertView } from './alert-view.ts';
import { readEngagement, seriesOf } from './dashboard.service.ts';
import { alertTasks, observationsSince } from './record.ts';
import { summaryComposition } from './summary.ts';

const DAY = 86_400_000;

/** Files telehealth summaries in the record as the caller. */
export class SummaryService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /** Builds the summary of CarePlan `carePlanId` over the last `days` and files it; returns it as stored. */
  async file(actor: Actor | undefined, carePlanId: string, days = 30, now = new Date()): Promise<Composition> {
    const staff = requireStaff(actor, { doing: 'file a telehealth summary' });
    return this.context.unitOfWork(staff, async (uow) => {
      const plan = JSON.parse((await uow.record.read('CarePlan', carePlanId)).json ?? '{}') as CarePlan;
      if (!isTelehealthPlan(plan)) {
        fail('business-rule', `CarePlan/${carePlanId} is not a telehealth enrolment`);
      }
      const enrolment = await new EnrolmentRepository(uow.tx).get(carePlanId);
      if (!enrolment || enrolment.status === 'refused') {
        fail('business-rule', `CarePlan/${carePlanId} has no telehealth enrolment to summarise`);
      }
      const start = new Date(Math.max(now.getTime() - days * DAY, enrolment.startedAt.getTime()));
      const patient = plan.subject?.reference ?? '';
      const patients = await patientsByReference(uow.record, [patient]);
      const alerts = (await alertTasks(uow.record, { patient, open: false }))
        .filter((task) => task.basedOn?.some((b) => b.reference === `CarePlan/${carePlanId}`))
        .filter((task) => (task.authoredOn ?? '') >= start.toISOString() || task.status !== 'completed')
        .map((task) => alertView(task, patients));
      const composition = summaryComposition(
        {
          patient: { reference: patient },
          carePlan: `CarePlan/${carePlanId}`,
          protocolTitle: protocolTitle(enrolment),
          author: `Practitioner/${staff.practitionerId}`,
          organisation: `Organization/${staff.organizationId}`,
          period: { start, end: now },
          series: seriesOf(await observationsSince(uow.record, [carePlanId], start)),
          alerts,
          engagement: await readEngagement(uow.record, enrolment, now),
        },
        now,
      );
      const created = await uow.record.create('Composition', composition);
      return created.resource as Composition;
    });
  }
}

function protocolTitle(enrolment: Enrolment): string {
  return libraryProtocol(enrolment.protocolId)?.title ?? enrolment.protocolId;
}
