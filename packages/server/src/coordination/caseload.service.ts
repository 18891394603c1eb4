/**
 * "Add to case list" from the risk of emergency admission list (docs/COORDINATION.md, "From the risk
 * list"): one concept with the hub's case list. A patient added from the risk list is either on the
 * caller's caseload at once — when the caller works for the single point of access (a community
 * matron or coordinator taking the case on: a referral accepted by them, as coordinator, in the same
 * transaction) — or referred into the single point of access with the risk score as the reason, for
 * the SPA to triage as any referral (a GP or anyone else). Never a second coordinator (H-178), never a
 * second open referral from the same person (H-179), the score read from the record, not the browser
 * (H-180). Everything through the caller's own view; hidden and absent answer 404.
 */
import type { CareTeam, RiskAssessment, ServiceRequest, Task } from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor, StaffActor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { conflict, notFound } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import {
  CARE_TEAM_ROLE_SYSTEM,
  COORDINATION_SYSTEM,
  codeOf,
  hasCode,
  idIn,
  readAs,
  REFERRAL_TASK,
  RISK_BAND_SYSTEM,
  searchAs,
  TEAM_CATEGORY,
} from './fhir.ts';
import type { PlanService } from './plan.service.ts';
import { parse } from './plan.service.ts';
import type { ReferralService } from './referral.service.ts';
import type { CoordinationSettings } from './settings.ts';
import { patientsById } from './views.ts';

const ADD = z.object({
  patientId: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'a Patient id'),
  note: z.string().trim().max(200).optional(),
});

const BAND_WORDS: Record<string, string> = {
  'very-high': 'very high',
  high: 'high',
  moderate: 'moderate',
  low: 'low',
};

/** One person on the caller's case list. */
export interface CaseloadEntry {
  patient: string;
  name: string;
  /**
   * `caseload`: the caller is the patient's care coordinator; `referred`: the caller's referral waits
   * for the single point of access; `allocated`: the caller referred them and a coordinator has the case.
   */
  status: 'caseload' | 'referred' | 'allocated';
  added?: string;
  reason?: string;
  coordinator?: string;
  riskBand?: string;
}

export interface AddResult {
  /** What adding did: put the patient on the caller's caseload, or referred them to the SPA. */
  outcome: 'caseload' | 'referred';
  /** True when the patient was already there (nothing new written). */
  already: boolean;
  entries: CaseloadEntry[];
}

const me = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;

/**
 * The reason a referral from the risk list gives (pure): the latest final score the caller may see, in
 * words ("Risk of emergency admission very high (84.8% in 12 months; model ea12-v1, scored 2026-12-05)"),
 * and the caller's note. Read from the record, never taken from the browser (H-180).
 */
export function riskReason(assessment: RiskAssessment | undefined, note?: string): string {
  const prediction = assessment?.prediction?.[0];
  const band = codeOf(prediction?.qualitativeRisk, RISK_BAND_SYSTEM);
  const probability = prediction?.probabilityDecimal;
  const facts = [
    probability !== undefined ? `${(probability * 100).toFixed(1)}% in 12 months` : undefined,
    assessment?.method?.coding?.[0]?.code ? `model ${assessment.method.coding[0].code}` : undefined,
    assessment?.occurrenceDateTime ? `scored ${assessment.occurrenceDateTime.slice(0, 10)}` : undefined,
  ].filter(Boolean);
  const score = band
    ? `Risk of emergency admission ${BAND_WORDS[band] ?? band}${facts.length ? ` (${facts.join('; ')})` : ''}`
    : 'Risk of emergency admission: no score recorded';
  return `${score}. Added from the risk list${note ? `: ${note}` : ''}.`;
}

/** A score in the very high band makes the referral urgent (the SPA may change it at triage). */
export const isVeryHigh = (assessment: RiskAssessment | undefined): boolean =>
  codeOf(assessment?.prediction?.[0]?.qualitativeRisk, RISK_BAND_SYSTEM) === 'very-high';

export class CaseloadService {
  private readonly context: ModuleContext<CoordinationSettings>;
  private readonly referrals: ReferralService;
  private readonly plans: PlanService;

  constructor(context: ModuleContext<CoordinationSettings>, referrals: ReferralService, plans: PlanService) {
    this.context = context;
    this.referrals = referrals;
    this.plans = plans;
  }

  private isSpa(staff: StaffActor): boolean {
    return staff.organizationId === this.context.settings.SPA_ORGANIZATION;
  }

  /**
   * Adds a patient from the risk list: SPA staff take the case on (their caseload); anyone else refers
   * them to the SPA with the risk score as the reason. Once: adding again changes nothing.
   */
  async add(actor: Actor | undefined, body: unknown): Promise<AddResult> {
    const staff = requireStaff(actor, { doing: 'add a patient to a case list' });
    const input = parse(ADD, body);
    const result = await this.context.unitOfWork(staff, async (uow) => {
      await readAs(uow.record, 'Patient', input.patientId);
      await uow.lock(`coordination:case:${input.patientId}`);
      const coordinator = await this.coordinatorOf(uow.record, input.patientId);
      if (coordinator?.reference === me(staff)) {
        return { outcome: 'caseload' as const, already: true };
      }
      // Someone who referred them already: done, whatever the SPA has made of it since (H-179).
      if (!this.isSpa(staff) && (await this.ownOpenReferral(uow.record, staff, input.patientId))) {
        return { outcome: 'referred' as const, already: true };
      }
      if (coordinator) {
        // One coordinator at a time (H-178): the reader is told who has the case, not given it.
        conflict(
          `This patient already has a care coordinator${coordinator.name ? ` (${coordinator.name})` : ''}: contact them to be involved`,
        );
      }
      const score = await this.latestScore(uow.record, input.patientId);
      const reason = riskReason(score, input.note);
      const urgent = isVeryHigh(score);
      if (this.isSpa(staff)) {
        // The SPA's own worklist item for this patient, if one waits: taking the case is triaging it.
        const waiting = await this.waitingReferral(uow.record, input.patientId);
        const task =
          waiting ??
          (await this.referrals.referWithin(uow, staff, {
            patientId: input.patientId,
            reason,
            priority: urgent ? 'urgent' : 'routine',
          }));
        await this.referrals.triageWithin(uow, staff, task.id!, {
          decision: 'accept',
          priority: urgent ? 'urgent' : 'routine',
          coordinator: staff.practitionerId,
        });
        return { outcome: 'caseload' as const, already: false };
      }
      await this.referrals.referWithin(uow, staff, {
        patientId: input.patientId,
        reason,
        priority: urgent ? 'urgent' : 'routine',
      });
      return { outcome: 'referred' as const, already: false };
    });
    return { ...result, entries: await this.entries(staff) };
  }

  /**
   * Takes a patient off the caller's case list: withdraws the caller's own referral while it still
   * waits for triage (the request revoked, the SPA's worklist item cancelled). A case on a caseload
   * is not closed from here (409): a coordinator closes a case from its plan (not built yet).
   */
  async remove(actor: Actor | undefined, patientId: string): Promise<CaseloadEntry[]> {
    const staff = requireStaff(actor, { doing: 'change a case list' });
    const id = parse(ADD.shape.patientId, patientId);
    await this.context.unitOfWork(staff, async (uow) => {
      await readAs(uow.record, 'Patient', id);
      await uow.lock(`coordination:case:${id}`);
      if ((await this.coordinatorOf(uow.record, id))?.reference === me(staff)) {
        conflict('This patient is on your caseload: a case is closed from its care plan, not from the case list');
      }
      const request = await this.ownOpenReferral(uow.record, staff, id);
      if (!request) {
        notFound(`Patient/${id} is not on your case list`);
      }
      // The SPA's worklist item is its record; the referrer may withdraw only while it still waits.
      const [task] = await searchAs<Task>(uow.system(), 'Task', [
        ['focus', `ServiceRequest/${request.id!}`],
        ['code', `${COORDINATION_SYSTEM}|${REFERRAL_TASK}`],
      ]);
      if (task && task.status !== 'requested') {
        conflict('The single point of access has already triaged this referral: contact the care coordinator');
      }
      const now = new Date().toISOString();
      await uow.record.update('ServiceRequest', request.id!, {
        ...request,
        status: 'revoked',
        note: [...(request.note ?? []), { text: 'Withdrawn by the referrer', time: now }],
      } satisfies ServiceRequest);
      if (task) {
        await uow.system().update('Task', task.id!, {
          ...task,
          status: 'cancelled',
          statusReason: { text: 'Withdrawn by the referrer' },
          executionPeriod: { ...task.executionPeriod, end: now },
        } satisfies Task);
      }
    });
    return this.entries(staff);
  }

  /**
   * The caller's case list: their caseload as coordinator (from the hub's case list) and the patients
   * they referred whose referral is open, each as the caller may (still) see them.
   */
  async entries(actor: Actor | undefined): Promise<CaseloadEntry[]> {
    const staff = requireStaff(actor, { doing: 'see a case list' });
    const record = this.context.recordAs(staff);
    const caseload: CaseloadEntry[] = (await this.plans.caseList(staff)).map((row) => ({
      patient: `Patient/${row.patient.id}`,
      name: row.patient.name,
      status: 'caseload',
      ...(row.riskBand ? { riskBand: row.riskBand } : {}),
    }));
    const onCaseload = new Set(caseload.map((e) => e.patient));
    const requests = await searchAs<ServiceRequest>(record, 'ServiceRequest', [
      ['requester', me(staff)],
      ['category', `${COORDINATION_SYSTEM}|care-coordination`],
      ['status', 'active'],
      ['_sort', '-authored'],
      ['_count', '200'],
    ]);
    const open = requests.filter((r) => !onCaseload.has(r.subject.reference ?? ''));
    const patients = await patientsById(
      record,
      open.map((r) => idIn(r.subject.reference, 'Patient') ?? ''),
    );
    const referred: CaseloadEntry[] = [];
    const seen = new Set<string>();
    for (const request of open) {
      const id = idIn(request.subject.reference, 'Patient');
      const patient = id ? patients.get(id) : undefined;
      if (!patient || seen.has(patient.id)) {
        continue;
      }
      seen.add(patient.id);
      const coordinator = await this.coordinatorOf(record, patient.id);
      referred.push({
        patient: `Patient/${patient.id}`,
        name: patient.name,
        status: coordinator ? 'allocated' : 'referred',
        ...(request.authoredOn ? { added: request.authoredOn } : {}),
        ...(request.reasonCode?.[0]?.text ? { reason: request.reasonCode[0].text } : {}),
        ...(coordinator?.name ? { coordinator: coordinator.name } : {}),
      });
    }
    return [...caseload, ...referred];
  }

  /** The patient's current care coordinator as `record` sees their care-coordination team, if any. */
  private async coordinatorOf(record: ResourceService, patientId: string) {
    const teams = await searchAs<CareTeam>(record, 'CareTeam', [
      ['subject', `Patient/${patientId}`],
      ['category', `${TEAM_CATEGORY.coding![0]!.system}|care-coordination`],
      ['status', 'active'],
    ]);
    const now = new Date().toISOString();
    for (const team of teams) {
      const current = team.participant?.find(
        (p) => hasCode(p.role, CARE_TEAM_ROLE_SYSTEM, 'care-coordinator') && (!p.period?.end || p.period.end > now),
      );
      if (current?.member?.reference) {
        return { reference: current.member.reference, name: current.member.display };
      }
    }
    return undefined;
  }

  private async latestScore(record: ResourceService, patientId: string) {
    const [latest] = await searchAs<RiskAssessment>(record, 'RiskAssessment', [
      ['subject', `Patient/${patientId}`],
      ['status', 'final'],
      ['_sort', '-date'],
      ['_count', '1'],
    ]);
    return latest;
  }

  /** A referral of the patient waiting on the SPA's worklist, as the caller (SPA staff) sees it. */
  private async waitingReferral(record: ResourceService, patientId: string): Promise<Task | undefined> {
    const [task] = await searchAs<Task>(record, 'Task', [
      ['code', `${COORDINATION_SYSTEM}|${REFERRAL_TASK}`],
      ['patient', `Patient/${patientId}`],
      ['status', 'requested'],
      ['_sort', 'authored-on'],
      ['_count', '1'],
    ]);
    return task;
  }

  /** The caller's own open referral of the patient to care coordination, if any. */
  private async ownOpenReferral(record: ResourceService, staff: StaffActor, patientId: string) {
    const [request] = await searchAs<ServiceRequest>(record, 'ServiceRequest', [
      ['subject', `Patient/${patientId}`],
      ['requester', me(staff)],
      ['category', `${COORDINATION_SYSTEM}|care-coordination`],
      ['status', 'active'],
      ['_count', '1'],
    ]);
    return request;
  }
}
