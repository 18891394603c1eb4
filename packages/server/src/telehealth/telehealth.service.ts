/**
 * The telehealth service: enrolments from CarePlans, prompts when due, and replies understood,
 * recorded, answered and escalated. Clinical data go into the record as the module's system actor
 * (`module:telehealth`), in the transaction that received the text or sent the prompt.
 */
import type { CarePlan, Communication, Flag, Observation, Patient, Task } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { InboundSms } from '../gateways/sms/index.ts';
import { normalisePhone } from '../gateways/sms/index.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { readEnrolment, type EnrolmentRequest } from './enrolment/careplan.ts';
import { EnrolmentRepository, type Enrolment } from './enrolment/enrolment.repository.ts';
import { assessReply, type Assessment } from './protocols/assess.ts';
import { libraryProtocol } from './protocols/library/index.ts';
import type { Protocol } from './protocols/model.ts';
import { planDefinitionId } from './protocols/plan-definition.ts';
import { enrolmentEnds, nextPromptAt, stillTimely } from './prompts/timetable.ts';
import { HELP_TEXT, PAUSED_TEXT, RESUMED_TEXT, UNKNOWN_NUMBER_TEXT } from './replies/messages.ts';
import { readingObservation } from './replies/observations.ts';

function protocolOf(enrolment: Pick<Enrolment, 'protocolId' | 'protocolVersion'>): Protocol {
  const protocol = libraryProtocol(enrolment.protocolId);
  if (!protocol || protocol.version !== enrolment.protocolVersion) {
    throw new Error(`Telehealth protocol ${enrolment.protocolId} v${enrolment.protocolVersion} is not installed`);
  }
  return protocol;
}

/** A patient's mobile number from their record, normalised (undefined when none is usable). */
export function mobileOf(patient: Patient): string | undefined {
  const phones = (patient.telecom ?? []).filter((t) => (t.system === 'sms' || t.system === 'phone') && t.value);
  const ordered = [...phones.filter((t) => t.system === 'sms' || t.use === 'mobile'), ...phones];
  for (const telecom of ordered) {
    try {
      const number = normalisePhone(telecom.value!);
      if (/^\+447/.test(number)) {
        return number;
      }
    } catch {
      // Not a number we can text: try the next.
    }
  }
  return undefined;
}

export class TelehealthService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /** Creates, changes or ends the enrolment a CarePlan asks for (a reaction to its write). */
  async enrolFromPlan(plan: CarePlan): Promise<Enrolment> {
    return this.context.unitOfWork(this.context.systemActor, async (uow) => {
      const repository = new EnrolmentRepository(uow.tx);
      const read = readEnrolment(plan, (id, version) => {
        const protocol = libraryProtocol(id);
        return protocol?.version === version ? protocol : undefined;
      });
      const existing = await repository.get(plan.id!, { lock: true });
      const patientId = read.request?.patientId ?? /Patient\/(.+)$/.exec(plan.subject?.reference ?? '')?.[1] ?? '';
      const phone = patientId ? await this.phoneOf(uow, patientId) : undefined;
      if (!read.request || !read.protocol || !phone) {
        const problems = [
          ...read.problems,
          ...(read.request && !phone ? ['The patient has no mobile number in their record'] : []),
        ];
        const refused = refusedEnrolment(plan, patientId, problems, existing);
        await repository.save(refused);
        return refused;
      }
      const enrolment = this.planned(read.request, read.protocol, phone, existing);
      await repository.save(enrolment);
      return enrolment;
    });
  }

  private async phoneOf(uow: UnitOfWork, patientId: string): Promise<string | undefined> {
    try {
      const stored = await uow.system().read('Patient', patientId);
      return mobileOf(JSON.parse(stored.json ?? '{}') as Patient);
    } catch {
      return undefined;
    }
  }

  private planned(request: EnrolmentRequest, protocol: Protocol, phone: string, existing?: Enrolment): Enrolment {
    const endsAt = enrolmentEnds(protocol.schedule, request.startedAt) ?? null;
    const keepsSchedule = existing?.status === 'active' && request.status === 'active' && existing.nextPromptAt;
    return {
      carePlanId: request.carePlanId,
      patientId: request.patientId,
      protocolId: request.protocolId,
      protocolVersion: request.protocolVersion,
      phone,
      status: request.status,
      problems: [],
      thresholds: request.thresholds,
      startedAt: request.startedAt,
      endsAt,
      nextPromptAt:
        request.status !== 'active'
          ? null
          : keepsSchedule
            ? existing.nextPromptAt
            : (nextPromptAt(protocol.schedule, new Date(), {
                startedAt: request.startedAt,
                ...(endsAt ? { endsAt } : {}),
              }) ?? null),
      awaiting: request.status === 'active' ? (existing?.awaiting ?? null) : null,
      misses: existing?.misses ?? 0,
    };
  }

  /** Sends every prompt now due, once across instances; returns how many were sent. */
  async sendDuePrompts(now = new Date(), limit = 500): Promise<number> {
    return this.context.unitOfWork(this.context.systemActor, async (uow) => {
      const repository = new EnrolmentRepository(uow.tx);
      let sent = 0;
      for (const enrolment of await repository.claimDue(now, limit)) {
        sent += (await this.promptOne(uow, repository, enrolment, now)) ? 1 : 0;
      }
      return sent;
    });
  }

  private async promptOne(
    uow: UnitOfWork,
    repository: EnrolmentRepository,
    enrolment: Enrolment,
    now: Date,
  ): Promise<boolean> {
    const protocol = protocolOf(enrolment);
    const due = enrolment.nextPromptAt!;
    const window = { startedAt: enrolment.startedAt, ...(enrolment.endsAt ? { endsAt: enrolment.endsAt } : {}) };
    const next = nextPromptAt(protocol.schedule, due < now ? now : due, window) ?? null;
    if (!stillTimely(due, now, protocol.catchUpMinutes)) {
      // After downtime: skipped, not sent late (and not the patient's miss).
      await repository.save({ ...enrolment, nextPromptAt: next });
      return false;
    }
    const missed = enrolment.awaiting ? enrolment.misses + 1 : 0;
    if (enrolment.awaiting && protocol.missed.alertAfterMisses > 0 && missed === protocol.missed.alertAfterMisses) {
      await this.alert(uow, enrolment, protocol, [`${missed} prompts in a row not answered`], 'amber');
    }
    const prompt = protocol.prompts[0]!;
    const message = await this.context
      .use('sms')
      .queueSms(
        { to: enrolment.phone!, body: prompt.text, reference: `CarePlan/${enrolment.carePlanId}` },
        { tx: uow.tx },
      );
    const optedOut = message.status === 'failed';
    await repository.save({
      ...enrolment,
      // A number that texted STOP gets nothing: the enrolment pauses rather than counting misses.
      status: optedOut ? 'paused' : enrolment.status,
      problems: optedOut ? ['The patient texted STOP: texts are paused until they text START'] : [],
      nextPromptAt: optedOut ? null : next,
      awaiting: optedOut
        ? null
        : { promptId: prompt.id, roundAt: due.toISOString(), sentAt: now.toISOString(), roundScores: {} },
      misses: missed,
    });
    return !optedOut;
  }

  /**
   * A text from a patient's phone, inside the transaction that stores it: a command, or a reply
   * read, recorded, answered and (when the protocol says so) escalated. A number with no enrolment
   * gets a neutral answer and nothing clinical is stored.
   */
  async handleInbound(message: InboundSms, tx: Queryable): Promise<void> {
    const sms = this.context.use('sms');
    const reply = (body: string): Promise<unknown> =>
      sms.queueSms({ to: message.from, body, reference: 'telehealth' }, { tx });
    await this.context.unitOfWork(
      this.context.systemActor,
      async (uow) => {
        const repository = new EnrolmentRepository(uow.tx);
        const [enrolment] = await repository.byPhone(message.from);
        if (!enrolment) {
          await reply(UNKNOWN_NUMBER_TEXT);
          return;
        }
        const protocol = protocolOf(enrolment);
        const promptId = enrolment.awaiting?.promptId ?? protocol.prompts[0]!.id;
        const assessment = assessReply(protocol, promptId, message.body, {
          thresholds: enrolment.thresholds,
          history: await this.history(uow.system(), enrolment),
          roundScores: enrolment.awaiting?.roundScores ?? {},
        });
        await this.recordMessage(uow, enrolment, message.body, 'in');
        const command = assessment.parsed.command;
        if (command) {
          await reply(await this.command(repository, enrolment, protocol, command));
          return;
        }
        const observations = await this.recordReadings(uow, enrolment, assessment);
        if (assessment.escalate) {
          await this.alert(uow, enrolment, protocol, assessment.reasons, assessment.level, observations);
        }
        await reply(assessment.reply!);
        await this.recordMessage(uow, enrolment, assessment.reply!, 'out');
        await this.advance(repository, enrolment, protocol, promptId, assessment, reply);
      },
      { tx },
    );
  }

  private async command(
    repository: EnrolmentRepository,
    enrolment: Enrolment,
    protocol: Protocol,
    command: string,
  ): Promise<string> {
    switch (command) {
      case 'pause':
        await repository.save({ ...enrolment, status: 'paused', nextPromptAt: null, awaiting: null });
        return PAUSED_TEXT;
      case 'resume': {
        const window = { startedAt: enrolment.startedAt, ...(enrolment.endsAt ? { endsAt: enrolment.endsAt } : {}) };
        await repository.save({
          ...enrolment,
          status: 'active',
          misses: 0,
          nextPromptAt: nextPromptAt(protocol.schedule, new Date(), window) ?? null,
        });
        return RESUMED_TEXT;
      }
      default:
        return HELP_TEXT;
    }
  }

  /** After a reply: the next prompt of the round at once, or the round done. */
  private async advance(
    repository: EnrolmentRepository,
    enrolment: Enrolment,
    protocol: Protocol,
    promptId: string,
    assessment: Assessment,
    reply: (body: string) => Promise<unknown>,
  ): Promise<void> {
    if (assessment.parsed.askAgain) {
      await repository.save({ ...enrolment, misses: 0 });
      return;
    }
    const index = protocol.prompts.findIndex((p) => p.id === promptId);
    const next = protocol.prompts[index + 1];
    const score = assessment.parsed.readings.find((r) => r.expectation === 'score')?.values.score;
    const roundScores = {
      ...(enrolment.awaiting?.roundScores ?? {}),
      ...(score !== undefined ? { [promptId]: score } : {}),
    };
    if (next && enrolment.awaiting) {
      await reply(next.text);
      await repository.save({
        ...enrolment,
        misses: 0,
        awaiting: { ...enrolment.awaiting, promptId: next.id, roundScores },
      });
    } else {
      await repository.save({ ...enrolment, misses: 0, awaiting: null });
    }
  }

  private async history(system: ResourceService, enrolment: Enrolment) {
    const since = new Date(Date.now() - 31 * 86_400_000).toISOString();
    const bundle = await system.search('Observation', [
      ['based-on', `CarePlan/${enrolment.carePlanId}`],
      ['date', `ge${since}`],
      ['_count', '200'],
    ]);
    return (bundle.entry ?? []).flatMap((entry) => {
      const observation = entry.resource as Observation;
      const value = observation.valueQuantity?.value;
      const at = observation.effectiveDateTime;
      const measure = measureOf(observation);
      return value !== undefined && at && measure ? [{ measure, value, at: new Date(at) }] : [];
    });
  }

  private async recordReadings(uow: UnitOfWork, enrolment: Enrolment, assessment: Assessment): Promise<string[]> {
    const effective = new Date().toISOString();
    const protocol = protocolOf(enrolment);
    const references: string[] = [];
    const context = {
      subject: { reference: `Patient/${enrolment.patientId}` },
      basedOn: [{ reference: `CarePlan/${enrolment.carePlanId}` }],
      effective,
    };
    for (const reading of assessment.parsed.readings) {
      const prompt = protocol.prompts.find((p) => p.expecting.includes(reading.expectation));
      const observation = readingObservation(reading, {
        ...context,
        ...(prompt?.questionCode
          ? { questionCode: { coding: [prompt.questionCode], text: prompt.questionCode.display } }
          : {}),
      });
      if (assessment.level !== 'green') {
        observation.interpretation = [{ text: `${assessment.level}: ${assessment.reasons.join('; ')}` }];
      }
      const created = await uow.system().create('Observation', observation);
      references.push(`Observation/${created.resource.id}`);
    }
    for (const { rule, value } of assessment.totals) {
      const created = await uow.system().create('Observation', {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [rule.code], text: rule.code.display },
        subject: context.subject,
        basedOn: context.basedOn,
        effectiveDateTime: effective,
        valueInteger: value,
      });
      references.push(`Observation/${created.resource.id}`);
    }
    return references;
  }

  private async recordMessage(
    uow: UnitOfWork,
    enrolment: Enrolment,
    text: string,
    direction: 'in' | 'out',
  ): Promise<void> {
    const patient = { reference: `Patient/${enrolment.patientId}` };
    const communication: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      category: [
        {
          coding: [
            { system: 'https://careweave.example/fhir/CodeSystem/communication-category', code: 'telehealth-sms' },
          ],
        },
      ],
      subject: patient,
      basedOn: [{ reference: `CarePlan/${enrolment.carePlanId}` }],
      medium: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
              code: 'SMSWRIT',
              display: 'SMS written',
            },
          ],
        },
      ],
      ...(direction === 'in'
        ? { sender: patient, received: new Date().toISOString() }
        : { recipient: [patient], sent: new Date().toISOString() }),
      payload: [{ contentString: text }],
    };
    await uow.system().create('Communication', communication);
  }

  /** A Flag and a Task for the team, and a notification to whoever enrolled the patient. */
  private async alert(
    uow: UnitOfWork,
    enrolment: Enrolment,
    protocol: Protocol,
    reasons: string[],
    level: 'amber' | 'red' | 'green',
    focus: string[] = [],
  ): Promise<void> {
    const subject = { reference: `Patient/${enrolment.patientId}` };
    const text = `Telehealth ${level}: ${reasons.join('; ')} (${protocol.title})`;
    const flag = await uow.system().create('Flag', {
      resourceType: 'Flag',
      status: 'active',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical' }] }],
      code: { text },
      subject,
      period: { start: new Date().toISOString() },
    } satisfies Flag);
    const task = await uow.system().create('Task', {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      priority: level === 'red' ? 'stat' : 'urgent',
      code: {
        coding: [{ system: 'https://careweave.example/fhir/CodeSystem/task-code', code: 'telehealth-alert' }],
        text: 'Review telehealth alert',
      },
      description: text,
      for: subject,
      focus: { reference: focus[0] ?? `Flag/${flag.resource.id}` },
      basedOn: [{ reference: `CarePlan/${enrolment.carePlanId}` }],
      authoredOn: new Date().toISOString(),
      instantiatesCanonical: `PlanDefinition/${planDefinitionId(protocol)}`,
    } satisfies Task);
    const plan = JSON.parse((await uow.system().read('CarePlan', enrolment.carePlanId)).json ?? '{}') as CarePlan;
    const recipient = plan.author?.reference;
    if (recipient?.startsWith('Practitioner/')) {
      await this.context.use('notifications').notify(
        {
          kind: 'telehealth-alert',
          category: 'telehealth-alert',
          priority: level === 'red' ? 'urgent' : 'routine',
          recipient,
          subject: subject.reference,
          about: `Task/${task.resource.id}`,
          title: `Telehealth ${level} alert`,
          text,
          smsText: 'CareWeave: a telehealth reading needs review. Sign in to see it.',
          idempotencyKey: `telehealth:${task.resource.id}`,
        },
        { tx: uow.tx },
      );
    }
  }
}

function refusedEnrolment(plan: CarePlan, patientId: string, problems: string[], existing?: Enrolment): Enrolment {
  return {
    carePlanId: plan.id!,
    patientId,
    protocolId: existing?.protocolId ?? 'unknown',
    protocolVersion: existing?.protocolVersion ?? 0,
    phone: null,
    status: 'refused',
    problems,
    thresholds: {},
    startedAt: new Date(plan.period?.start ?? Date.now()),
    endsAt: null,
    nextPromptAt: null,
    awaiting: null,
    misses: 0,
  };
}

const MEASURE_BY_CODE: Record<string, 'weight' | 'spo2' | 'glucose' | 'peakflow'> = {
  '29463-7': 'weight',
  '59408-5': 'spo2',
  '15074-8': 'glucose',
  '19935-6': 'peakflow',
};

function measureOf(observation: Observation) {
  const code = observation.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code;
  return code ? MEASURE_BY_CODE[code] : undefined;
}
