/**
 * The telehealth service: enrolments from CarePlans, prompts when due, and replies understood,
 * recorded, answered and escalated. Clinical data go into the record as the module's system actor
 * (`module:telehealth`), in the transaction that received the text or sent the prompt.
 */
import { randomUUID } from 'node:crypto';
import type { CarePlan, Communication, Flag, Observation, Patient, Resource, Task } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { InboundSms, OptChange } from '../gateways/sms/index.ts';
import { mobileOf } from '../gateways/sms/index.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { protocolNamed, readEnrolment, type EnrolmentRequest } from './enrolment/careplan.ts';
import { EnrolmentRepository, type Enrolment } from './enrolment/enrolment.repository.ts';
import { assessReply, type Assessment } from './protocols/assess.ts';
import { ProtocolRegistry } from './protocols/registry.ts';
import type { Protocol } from './protocols/model.ts';
import { planDefinitionId } from './protocols/plan-definition.ts';
import { enrolmentEnds, nextPromptAt, stillTimely } from './prompts/timetable.ts';
import { HELP_TEXT, PAUSED_TEXT, RESUMED_TEXT } from './replies/messages.ts';
import { readingObservation } from './replies/observations.ts';

export class TelehealthService {
  private readonly context: ModuleContext;
  /** Every protocol version enrolments may be on (the library and the record's PlanDefinitions). */
  readonly protocols: ProtocolRegistry;

  constructor(context: ModuleContext) {
    this.context = context;
    this.protocols = new ProtocolRegistry();
  }

  /** The version an enrolment is on, read in the unit of work's transaction. */
  private protocolOf(uow: UnitOfWork, enrolment: Pick<Enrolment, 'protocolId' | 'protocolVersion'>): Promise<Protocol> {
    return this.protocols.get(uow.system(), enrolment.protocolId, enrolment.protocolVersion);
  }

  /** Creates, changes or ends the enrolment a CarePlan asks for (a reaction to its write). */
  async enrolFromPlan(plan: CarePlan): Promise<Enrolment> {
    return this.context.unitOfWork(this.context.systemActor, async (uow) => {
      const repository = new EnrolmentRepository(uow.tx);
      const named = protocolNamed(plan);
      const found = named ? await this.protocols.find(uow.system(), named.id, named.version) : undefined;
      const read = readEnrolment(plan, (id, version) =>
        found?.id === id && found.version === version ? found : undefined,
      );
      const existing = await repository.get(plan.id!, { lock: true });
      const patientId = read.request?.patientId ?? /Patient\/(.+)$/.exec(plan.subject?.reference ?? '')?.[1] ?? '';
      const { phone, practice } = patientId ? await this.contactOf(uow, patientId) : {};
      if (!read.request || !read.protocol || !phone) {
        const problems = [
          ...read.problems,
          ...(read.request && !phone ? ['The patient has no mobile number in their record'] : []),
        ];
        const refused = refusedEnrolment(plan, patientId, problems, existing);
        await repository.save(refused);
        return refused;
      }
      const enrolment = this.planned(read.request, read.protocol, phone, practice ?? null, existing);
      await repository.save(enrolment);
      // Welcomed once, when newly enrolled: not a plan carried over from months ago (a migration, the demo).
      const isNew = existing?.status !== 'active' && existing?.status !== 'paused';
      const recent = enrolment.startedAt.getTime() > Date.now() - WELCOME_WITHIN_DAYS * 86_400_000;
      if (enrolment.status === 'active' && isNew && recent) {
        await this.welcome(uow, enrolment, read.protocol);
      }
      return enrolment;
    });
  }

  /** The patient's mobile, and their practice (whose staff see the texts). */
  private async contactOf(uow: UnitOfWork, patientId: string): Promise<{ phone?: string; practice?: string }> {
    try {
      const patient = JSON.parse((await uow.system().read('Patient', patientId)).json ?? '{}') as Patient;
      const practice = [patient.generalPractitioner?.[0]?.reference, patient.managingOrganization?.reference]
        .find((r) => r?.startsWith('Organization/'))
        ?.slice('Organization/'.length);
      const phone = mobileOf(patient.telecom);
      return { ...(phone ? { phone } : {}), ...(practice ? { practice } : {}) };
    } catch {
      return {};
    }
  }

  /**
   * A first text when someone is newly enrolled: what it is, when the questions come, and how to stop
   * (recorded like every other message). The patient knows the number before it asks them anything.
   */
  private async welcome(uow: UnitOfWork, enrolment: Enrolment, protocol: Protocol): Promise<void> {
    const times = protocol.schedule.times.join(' and ');
    const text =
      `CareWeave: your care team has set up ${protocol.title} by text. We will text you at ${times}` +
      `${protocol.schedule.days === 'daily' ? ' each day' : ''}: just reply with your answer. ` +
      'Text HELP for help or STOP to stop.';
    await this.context
      .use('sms')
      .queueSms(
        { to: enrolment.phone!, body: text, reference: `CarePlan/${enrolment.carePlanId}`, ...senderOf(enrolment) },
        { tx: uow.tx },
      );
    await writeAll(uow, [withId(smsCommunication(enrolment, text, 'out', new Date()))]);
  }

  private planned(
    request: EnrolmentRequest,
    protocol: Protocol,
    phone: string,
    practice: string | null,
    existing?: Enrolment,
  ): Enrolment {
    const endsAt = enrolmentEnds(protocol.schedule, request.startedAt) ?? null;
    const keepsSchedule = existing?.status === 'active' && request.status === 'active' && existing.nextPromptAt;
    return {
      carePlanId: request.carePlanId,
      patientId: request.patientId,
      protocolId: request.protocolId,
      protocolVersion: request.protocolVersion,
      phone,
      senderOrganizationId: practice,
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
            : request.firstPromptNow && existing?.status !== 'paused'
              ? new Date()
              : (nextPromptAt(protocol.schedule, new Date(), {
                  startedAt: request.startedAt,
                  ...(endsAt ? { endsAt } : {}),
                }) ?? null),
      awaiting: request.status === 'active' ? (existing?.awaiting ?? null) : null,
      misses: existing?.misses ?? 0,
      remindAt: request.status === 'active' ? (existing?.remindAt ?? null) : null,
    };
  }

  /**
   * The every-minute job: sends everything due, a batch per transaction, until nothing is left. A
   * morning round of thousands asks once for help (`askForHelp` queues another run of this job, which
   * any free worker on any instance takes; claims skip each other's rows, so nothing is sent twice).
   */
  async sendAllDue(askForHelp: () => Promise<unknown>, batch = PROMPT_BATCH): Promise<number> {
    let total = 0;
    let asked = false;
    for (;;) {
      const claimed = await this.sendDuePrompts(new Date(), batch);
      total += claimed;
      if (claimed < batch) {
        return total;
      }
      if (!asked) {
        asked = true;
        await askForHelp();
      }
    }
  }

  /**
   * Sends up to `limit` prompts and reminders now due, once across instances, in one transaction:
   * the texts queued together, the messages recorded as Communications together, the enrolments
   * saved together. Returns how many enrolments were claimed (fewer than `limit`: nothing more is due).
   */
  async sendDuePrompts(now = new Date(), limit = PROMPT_BATCH): Promise<number> {
    return this.context.unitOfWork(this.context.systemActor, async (uow) => {
      const repository = new EnrolmentRepository(uow.tx);
      const claimed = await repository.claimDue(now, limit);
      const rounds: Round[] = [];
      for (const enrolment of claimed) {
        rounds.push(await this.roundFor(uow, enrolment, now));
      }
      const texts = rounds.filter((r): r is Round & { text: string } => r.text !== undefined);
      const queued = await this.context.use('sms').queueMany(
        texts.map((r) => ({
          to: r.enrolment.phone!,
          body: r.text,
          reference: `CarePlan/${r.enrolment.carePlanId}`,
          ...senderOf(r.enrolment),
        })),
        { tx: uow.tx },
      );
      const delivered = new Set<Round>();
      texts.forEach((round, i) => {
        const sms = queued[i]!;
        if ('message' in sms && sms.message.status === 'queued') {
          delivered.add(round);
        }
      });
      const sent = texts.filter((round) => delivered.has(round));
      if (sent.length) {
        await uow.system().writeMany(
          sent.map((round) => ({
            resource: promptMessage(round.enrolment, round.text, now),
            method: 'create' as const,
          })),
        );
      }
      // A number that texted STOP gets nothing: the enrolment pauses rather than counting misses.
      await repository.saveMany(
        rounds.map((round) => (round.text === undefined || delivered.has(round) ? round.next : optedOut(round.next))),
      );
      return claimed.length;
    });
  }

  /**
   * What an enrolment whose prompt or reminder is due gets now: the text (or none: skipped after
   * downtime), and the enrolment as it is once sent. Raises the missed-prompts alert when due.
   */
  private async roundFor(uow: UnitOfWork, enrolment: Enrolment, now: Date): Promise<Round> {
    const protocol = await this.protocolOf(uow, enrolment);
    const promptDue = enrolment.nextPromptAt !== null && enrolment.nextPromptAt <= now;
    if (!promptDue) {
      return reminderFor(enrolment, protocol, now);
    }
    const due = enrolment.nextPromptAt!;
    const window = { startedAt: enrolment.startedAt, ...(enrolment.endsAt ? { endsAt: enrolment.endsAt } : {}) };
    const next = nextPromptAt(protocol.schedule, due < now ? now : due, window) ?? null;
    if (!stillTimely(due, now, protocol.catchUpMinutes)) {
      // After downtime: skipped, not sent late (and not the patient's miss).
      return { enrolment, next: { ...enrolment, nextPromptAt: next, remindAt: null } };
    }
    const missed = enrolment.awaiting ? enrolment.misses + 1 : 0;
    if (enrolment.awaiting && protocol.missed.alertAfterMisses > 0 && missed === protocol.missed.alertAfterMisses) {
      await this.alert(uow, enrolment, protocol, [`${missed} prompts in a row not answered`], 'amber');
    }
    const prompt = protocol.prompts[0]!;
    return {
      enrolment,
      text: prompt.text,
      next: {
        ...enrolment,
        problems: [],
        nextPromptAt: next,
        awaiting: { promptId: prompt.id, roundAt: due.toISOString(), sentAt: now.toISOString(), roundScores: {} },
        misses: missed,
        remindAt: reminderTime(protocol, now, next),
      },
    };
  }

  /**
   * A number texted STOP or START (told by the SMS module in the transaction that records it): its
   * enrolments pause at once, showing why, and START resumes the ones STOP paused — not ones a
   * clinician or the patient paused for another reason.
   */
  async optChanged(change: OptChange, tx: Queryable): Promise<void> {
    await this.context.unitOfWork(
      this.context.systemActor,
      async (uow) => {
        const repository = new EnrolmentRepository(uow.tx);
        for (const enrolment of await repository.byPhone(change.phone)) {
          if (change.optedOut && enrolment.status === 'active') {
            await repository.save(optedOut(enrolment));
          } else if (!change.optedOut && enrolment.status === 'paused' && pausedByStop(enrolment)) {
            const protocol = await this.protocolOf(uow, enrolment);
            await repository.save(resumed(enrolment, protocol, new Date()));
          }
        }
      },
      { tx },
    );
  }

  /**
   * A text from a patient's phone, inside the transaction that stores it: a command, or a reply
   * read, recorded, answered and (when the protocol says so) escalated. A number with no enrolment
   * is not telehealth's: it passes on (another module's, else the SMS module's neutral answer), and
   * nothing clinical is stored.
   */
  async handleInbound(message: InboundSms, tx: Queryable): Promise<'handled' | undefined> {
    const sms = this.context.use('sms');
    return this.context.unitOfWork(
      this.context.systemActor,
      async (uow) => {
        const repository = new EnrolmentRepository(uow.tx);
        const [enrolment] = await repository.byPhone(message.from);
        if (!enrolment) {
          return undefined; // not a telehealth number: the next module's, or the SMS module's neutral answer
        }
        const reply = (body: string): Promise<unknown> =>
          sms.queueSms(
            { to: message.from, body, reference: `CarePlan/${enrolment.carePlanId}`, ...senderOf(enrolment) },
            { tx },
          );
        const protocol = await this.protocolOf(uow, enrolment);
        const promptId = enrolment.awaiting?.promptId ?? protocol.prompts[0]!.id;
        const assessment = assessReply(protocol, promptId, message.body, {
          thresholds: enrolment.thresholds,
          history: await this.history(uow.system(), enrolment),
          roundScores: enrolment.awaiting?.roundScores ?? {},
        });
        // Everything the text puts in the record is written in one statement, the alert with it.
        const now = new Date();
        const record: Resource[] = [withId(smsCommunication(enrolment, message.body, 'in', now))];
        const command = assessment.parsed.command;
        if (command) {
          await writeAll(uow, record);
          await reply(await this.command(repository, enrolment, protocol, command));
          return 'handled' as const;
        }
        const readings = readingResources(enrolment, protocol, assessment, now);
        const alert = assessment.escalate
          ? alertResources(enrolment, protocol, assessment.reasons, assessment.level, readings, now)
          : undefined;
        record.push(...readings, ...(alert ? [alert.flag, alert.task] : []));
        record.push(withId(smsCommunication(enrolment, assessment.reply!, 'out', now)));
        await writeAll(uow, record);
        if (alert) {
          await this.notifyAuthor(uow, enrolment, alert);
        }
        await reply(assessment.reply!);
        await this.advance(repository, enrolment, protocol, promptId, assessment, reply);
        return 'handled' as const;
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
        await repository.save({ ...enrolment, status: 'paused', nextPromptAt: null, awaiting: null, remindAt: null });
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
        remindAt: reminderTime(protocol, new Date(), enrolment.nextPromptAt),
      });
    } else {
      await repository.save({ ...enrolment, misses: 0, awaiting: null, remindAt: null });
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

  /** An alert outside a reply (prompts not answered): the Flag and Task written, the author told. */
  private async alert(
    uow: UnitOfWork,
    enrolment: Enrolment,
    protocol: Protocol,
    reasons: string[],
    level: Level,
  ): Promise<void> {
    const alert = alertResources(enrolment, protocol, reasons, level, [], new Date());
    await writeAll(uow, [alert.flag, alert.task]);
    await this.notifyAuthor(uow, enrolment, alert);
  }

  /** The CarePlan's author is notified (inbox, and a text that says only that there is something to see). */
  private async notifyAuthor(uow: UnitOfWork, enrolment: Enrolment, alert: Alert): Promise<void> {
    const plan = JSON.parse((await uow.system().read('CarePlan', enrolment.carePlanId)).json ?? '{}') as CarePlan;
    const recipient = plan.author?.reference;
    if (!recipient?.startsWith('Practitioner/')) {
      return;
    }
    await this.context.use('notifications').notify(
      {
        kind: 'telehealth-alert',
        category: 'telehealth-alert',
        priority: alert.level === 'red' ? 'urgent' : 'routine',
        recipient,
        subject: `Patient/${enrolment.patientId}`,
        about: `Task/${alert.task.id!}`,
        title: `Telehealth ${alert.level} alert`,
        text: alert.text,
        smsText: 'CareWeave: a telehealth reading needs review. Sign in to see it.',
        idempotencyKey: `telehealth:${alert.task.id!}`,
      },
      { tx: uow.tx },
    );
  }
}

type Level = 'amber' | 'red' | 'green';

/** An alert for the team: a Flag on the record and a Task to review it. */
interface Alert {
  level: Level;
  text: string;
  flag: Flag;
  task: Task;
}

function withId<T extends Resource>(resource: T): T {
  return { ...resource, id: randomUUID() };
}

async function writeAll(uow: UnitOfWork, resources: readonly Resource[]): Promise<void> {
  await uow.system().writeMany(resources.map((resource) => ({ resource, method: 'create' as const })));
}

/** The readings of a reply (and any score totals) as patient-reported Observations, level noted. */
function readingResources(enrolment: Enrolment, protocol: Protocol, assessment: Assessment, at: Date): Observation[] {
  const context = {
    subject: { reference: `Patient/${enrolment.patientId}` },
    basedOn: [{ reference: `CarePlan/${enrolment.carePlanId}` }],
    effective: at.toISOString(),
  };
  const readings = assessment.parsed.readings.map((reading) => {
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
    return withId(observation);
  });
  const totals = assessment.totals.map(({ rule, value }) =>
    withId<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [rule.code], text: rule.code.display },
      subject: context.subject,
      basedOn: context.basedOn,
      effectiveDateTime: context.effective,
      valueInteger: value,
    }),
  );
  return [...readings, ...totals];
}

function alertResources(
  enrolment: Enrolment,
  protocol: Protocol,
  reasons: string[],
  level: Level,
  focus: readonly Resource[],
  at: Date,
): Alert {
  const subject = { reference: `Patient/${enrolment.patientId}` };
  const text = `Telehealth ${level}: ${reasons.join('; ')} (${protocol.title})`;
  const flag = withId<Flag>({
    resourceType: 'Flag',
    status: 'active',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical' }] }],
    code: { text },
    subject,
    period: { start: at.toISOString() },
  });
  const task = withId<Task>({
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
    focus: { reference: focus[0] ? `Observation/${focus[0].id!}` : `Flag/${flag.id!}` },
    basedOn: [{ reference: `CarePlan/${enrolment.carePlanId}` }],
    authoredOn: at.toISOString(),
    instantiatesCanonical: `PlanDefinition/${planDefinitionId(protocol)}`,
  });
  return { level, text, flag, task };
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
    remindAt: null,
    senderOrganizationId: existing?.senderOrganizationId ?? null,
  };
}

/** Texts about an enrolment go as its practice's, so the practice's staff see them (and any failure). */
function senderOf(enrolment: Enrolment): { senderOrganizationId?: string } {
  return enrolment.senderOrganizationId ? { senderOrganizationId: enrolment.senderOrganizationId } : {};
}

/** A text to or from the patient, as it is kept in the record. */
function smsCommunication(enrolment: Enrolment, text: string, direction: 'in' | 'out', at: Date): Communication {
  const patient = { reference: `Patient/${enrolment.patientId}` };
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ system: COMMUNICATION_CATEGORY_SYSTEM, code: 'telehealth-sms' }] }],
    subject: patient,
    basedOn: [{ reference: `CarePlan/${enrolment.carePlanId}` }],
    medium: [{ coding: [SMS_WRITTEN] }],
    ...(direction === 'in'
      ? { sender: patient, received: at.toISOString() }
      : { recipient: [patient], sent: at.toISOString() }),
    payload: [{ contentString: text }],
  };
}

/** A prompt or reminder sent in a round, as a Communication with a fresh id (written in a batch). */
function promptMessage(enrolment: Enrolment, text: string, at: Date): Communication {
  return { ...smsCommunication(enrolment, text, 'out', at), id: randomUUID() };
}

const COMMUNICATION_CATEGORY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/communication-category';
const SMS_WRITTEN = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
  code: 'SMSWRIT',
  display: 'SMS written',
};

/** A plan that started longer ago than this is not welcomed (carried over, not new to the patient). */
const WELCOME_WITHIN_DAYS = 7;

/** Prompts (and reminders) one transaction sends: a morning's round goes in batches of this size. */
const PROMPT_BATCH = 500;

/** An enrolment's turn in a round of prompts: the text to send (if any), and the enrolment after it. */
interface Round {
  enrolment: Enrolment;
  text?: string;
  next: Enrolment;
}

/**
 * When to remind the patient of a prompt sent at `sentAt`: `remindAfterMinutes` later, unless the
 * next prompt comes first (it is the reminder then) or the protocol sends none.
 */
function reminderTime(protocol: Protocol, sentAt: Date, nextPrompt: Date | null): Date | null {
  const minutes = protocol.missed.remindAfterMinutes;
  if (!minutes) {
    return null;
  }
  const at = new Date(sentAt.getTime() + minutes * 60_000);
  return nextPrompt && at >= nextPrompt ? null : at;
}

/** A reminder of the prompt still awaited, once; none when it is stale (after downtime) or answered. */
function reminderFor(enrolment: Enrolment, protocol: Protocol, now: Date): Round {
  const next = { ...enrolment, remindAt: null };
  const prompt = protocol.prompts.find((p) => p.id === enrolment.awaiting?.promptId);
  if (!prompt || !enrolment.remindAt || !stillTimely(enrolment.remindAt, now, protocol.catchUpMinutes)) {
    return { enrolment, next };
  }
  return { enrolment, text: `Reminder: ${prompt.text}`, next };
}

const STOP_PROBLEM = 'The patient texted STOP: texts are paused until they text START';

function pausedByStop(enrolment: Enrolment): boolean {
  return enrolment.problems.includes(STOP_PROBLEM);
}

/** Active again from the next prompt time (nothing is sent for the time it was paused). */
function resumed(enrolment: Enrolment, protocol: Protocol, now: Date): Enrolment {
  const window = { startedAt: enrolment.startedAt, ...(enrolment.endsAt ? { endsAt: enrolment.endsAt } : {}) };
  return {
    ...enrolment,
    status: 'active',
    problems: [],
    misses: 0,
    nextPromptAt: nextPromptAt(protocol.schedule, now, window) ?? null,
  };
}

function optedOut(enrolment: Enrolment): Enrolment {
  return {
    ...enrolment,
    status: 'paused',
    problems: [STOP_PROBLEM],
    nextPromptAt: null,
    awaiting: null,
    remindAt: null,
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
