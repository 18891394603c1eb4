/**
 * The team dashboard: the patients on telehealth the caller may see, each with protocol, status,
 * latest reading and level, open alerts and engagement, red first (H-116); and one patient's
 * readings, messages, alerts and engagement for the patient page. Everything clinical is read
 * through the caller's view; the enrolment rows (operational state) only say which CarePlans to ask
 * the record for, and a plan the record does not return to the caller is not shown.
 */
import type { CarePlan, Observation, Task } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireAccess, requireStaff } from '../../access/guards.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { isTelehealthPlan } from '../enrolment/careplan.ts';
import { EnrolmentRepository, type Enrolment } from '../enrolment/enrolment.repository.ts';
import { libraryProtocol } from '../protocols/library/index.ts';
import { patientsByReference } from './alert.service.ts';
import { alertLevel, alertView, type AlertView } from './alert-view.ts';
import { engagementOf, ENGAGEMENT_DAYS, type Engagement } from './engagement.ts';
import { LEVEL_RANK, readingOf, worstLevel, type Level, type Reading } from './readings.ts';
import {
  alertTasks,
  isInbound,
  latestObservations,
  messagesOf,
  messageTime,
  observationsSince,
  plansOfPatient,
  visibleByIds,
  type PatientSummary,
} from './record.ts';

const DAY = 86_400_000;
const SHOWN: readonly Enrolment['status'][] = ['active', 'paused'];

export interface DashboardFilter {
  level?: Level;
  mine?: boolean;
  protocol?: string;
}

export interface ProtocolSummary {
  id: string;
  version: number;
  title: string;
}

export interface DashboardRow {
  carePlan: string;
  patient: PatientSummary;
  protocol: ProtocolSummary;
  status: Enrolment['status'];
  author?: string;
  mine: boolean;
  /** The worst of the latest reading's level and the open alerts' levels (H-116). */
  level: Level | 'none';
  /** The worst reading of the latest reply (its level is the row's reading level). */
  latest: Reading | null;
  /** Every reading of the latest reply, worst first (oxygen and pulse, say). */
  latestRound: Reading[];
  openAlerts: number;
  engagement: Engagement;
}

export interface PatientView {
  patient: PatientSummary;
  plans: (Omit<DashboardRow, 'patient' | 'latest' | 'latestRound' | 'openAlerts'> & { startedAt: string })[];
  series: { measure: string; label: string; unit: string; readings: Reading[] }[];
  messages: { at: string; direction: 'in' | 'out'; text: string }[];
  alerts: AlertView[];
  days: number;
}

function protocolSummary(enrolment: Enrolment): ProtocolSummary {
  const protocol = libraryProtocol(enrolment.protocolId);
  return {
    id: enrolment.protocolId,
    version: enrolment.protocolVersion,
    title: protocol?.title ?? enrolment.protocolId,
  };
}

/** The dashboard and the patient view; each method begins with its guard. */
export class DashboardService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /** The dashboard rows for the caller, filtered, red first then by the newest reading. */
  async dashboard(actor: Actor | undefined, filter: DashboardFilter = {}, now = new Date()): Promise<DashboardRow[]> {
    const staff = requireStaff(actor, { doing: 'see the telehealth dashboard' });
    const record = this.context.recordAs(staff);
    const enrolments = (await this.enrolments()).filter((e) => !filter.protocol || e.protocolId === filter.protocol);
    const plans = await visibleByIds<CarePlan>(
      record,
      'CarePlan',
      enrolments.map((e) => e.carePlanId),
    );
    const visible = plans.filter((plan) => !filter.mine || authoredBy(plan, staff));
    const byPlan = new Map(enrolments.map((e) => [e.carePlanId, e]));
    const alerts = await alertTasks(record);
    const patients = await patientsByReference(
      record,
      visible.map((plan) => plan.subject?.reference ?? ''),
    );
    const rows: DashboardRow[] = [];
    for (const plan of visible) {
      const enrolment = byPlan.get(plan.id!)!;
      const planAlerts = alerts.filter((task) => task.basedOn?.some((b) => b.reference === `CarePlan/${plan.id!}`));
      const latestRound = (await latestObservations(record, plan.id!))
        .map(readingOf)
        .filter((reading): reading is Reading => reading !== undefined)
        .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
      const latest = latestRound[0] ?? null;
      rows.push({
        ...(await this.planSummary(record, staff, plan, enrolment, now)),
        patient: patients.get(plan.subject?.reference ?? '') ?? {
          reference: plan.subject?.reference ?? '',
          name: 'Unknown patient',
        },
        level: worstLevel([latest?.level, ...planAlerts.map(alertLevel)]) ?? 'none',
        latest,
        latestRound,
        openAlerts: planAlerts.length,
      });
    }
    return rows.filter((row) => !filter.level || row.level === filter.level).sort(redFirst);
  }

  /** One patient's telehealth: plans, reading series over `days`, messages and alerts. */
  async patient(actor: Actor | undefined, patientId: string, days = 90, now = new Date()): Promise<PatientView> {
    const staff = requireStaff(actor, { doing: 'see a patient’s telehealth' });
    const record = this.context.recordAs(staff);
    const reference = `Patient/${patientId}`;
    await requireAccess(record, reference);
    const plans = (await plansOfPatient(record, reference)).filter(isTelehealthPlan);
    const repository = new EnrolmentRepository(this.context.db);
    const summaries = [];
    for (const plan of plans) {
      const enrolment = await repository.get(plan.id!);
      if (enrolment && enrolment.status !== 'refused') {
        summaries.push({
          ...(await this.planSummary(record, staff, plan, enrolment, now)),
          level: 'none' as const,
          startedAt: enrolment.startedAt.toISOString(),
        });
      }
    }
    const ids = summaries.map((s) => s.carePlan.slice('CarePlan/'.length));
    const observations = await observationsSince(record, ids, new Date(now.getTime() - days * DAY));
    const tasks = (await alertTasks(record, { patient: reference, open: false })).slice(0, 50);
    const patients = await patientsByReference(record, [reference]);
    const messages = (await messagesOf(record, ids)).slice(0, 100);
    return {
      patient: patients.get(reference)!,
      plans: summaries,
      series: seriesOf(observations),
      messages: messages.map((m) => ({
        at: messageTime(m),
        direction: isInbound(m) ? 'in' : 'out',
        text: m.payload?.[0]?.contentString ?? '',
      })),
      alerts: tasks.map((task: Task) => alertView(task, patients)),
      days,
    };
  }

  private async enrolments(): Promise<Enrolment[]> {
    const repository = new EnrolmentRepository(this.context.db);
    const lists = await Promise.all(SHOWN.map((status) => repository.list({ status }, 2000)));
    return lists.flat();
  }

  private async planSummary(
    record: ResourceService,
    staff: StaffActor,
    plan: CarePlan,
    enrolment: Enrolment,
    now: Date,
  ): Promise<Omit<DashboardRow, 'patient' | 'latest' | 'latestRound' | 'openAlerts'>> {
    return {
      carePlan: `CarePlan/${plan.id!}`,
      protocol: protocolSummary(enrolment),
      status: enrolment.status,
      ...(plan.author?.reference ? { author: plan.author.reference } : {}),
      mine: authoredBy(plan, staff),
      level: 'none',
      engagement: await readEngagement(record, enrolment, now),
    };
  }
}

/**
 * An enrolment's engagement over the last ENGAGEMENT_DAYS, from the patient's texts in the record
 * (through the caller's view), or from their readings when the record holds no texts for the plan.
 */
export async function readEngagement(record: ResourceService, enrolment: Enrolment, now: Date): Promise<Engagement> {
  const protocol = libraryProtocol(enrolment.protocolId);
  const since = new Date(now.getTime() - ENGAGEMENT_DAYS * DAY);
  const texts = (await messagesOf(record, [enrolment.carePlanId])).filter(isInbound).map((m) => messageTime(m));
  // Without any text in the record (imported or demo enrolments) the readings stand in for replies.
  const replies = texts.length
    ? texts
    : (await observationsSince(record, [enrolment.carePlanId], since)).map((o) => o.effectiveDateTime ?? '');
  return engagementOf({
    schedule: protocol?.schedule ?? { times: [], days: 'daily' },
    startedAt: enrolment.startedAt,
    endsAt: enrolment.endsAt,
    active: enrolment.status === 'active',
    replies: replies.filter(Boolean).map((at) => new Date(at)),
    now,
  });
}

/** Whether the caller enrolled the patient: the plan's author is their Practitioner (relative or absolute). */
function authoredBy(plan: CarePlan, staff: StaffActor): boolean {
  const reference = plan.author?.reference ?? '';
  const own = `Practitioner/${staff.practitionerId}`;
  return reference === own || reference.endsWith(`/${own}`);
}

function redFirst(a: DashboardRow, b: DashboardRow): number {
  return (
    LEVEL_RANK[a.level] - LEVEL_RANK[b.level] ||
    b.openAlerts - a.openAlerts ||
    (b.latest?.at ?? '').localeCompare(a.latest?.at ?? '') ||
    a.patient.name.localeCompare(b.patient.name)
  );
}

/** Readings grouped by measure, for one chart each (oldest first). */
export function seriesOf(observations: readonly Observation[]): PatientView['series'] {
  const series = new Map<string, PatientView['series'][number]>();
  for (const observation of observations) {
    const reading = readingOf(observation);
    if (!reading) {
      continue;
    }
    const found = series.get(reading.measure) ?? {
      measure: reading.measure,
      label: reading.label,
      unit: reading.values[0]?.unit ?? '',
      readings: [],
    };
    found.readings.push(reading);
    series.set(reading.measure, found);
  }
  for (const one of series.values()) {
    one.readings.sort((a, b) => a.at.localeCompare(b.at));
  }
  return [...series.values()];
}
