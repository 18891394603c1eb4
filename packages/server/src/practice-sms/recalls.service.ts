/**
 * Recalls: a practice member picks a review the module defines; the search runs as the module's
 * system actor over the practice's registered patients only (`general-practitioner` = the caller's
 * organisation) and returns demographics and why a patient would not be texted — never the record
 * itself. Sending texts everyone included, from the practice's recall template, in one unit.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../access/actor.ts';
import { badRequest, fail } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { requirePracticeStaff } from './access.ts';
import type { Messenger } from './messenger.ts';
import { PracticeSmsRepository } from './practice-sms.repository.ts';
import { REVIEWS, isReview, type Review } from './recalls.ts';
import { firstName, fullName, mobileOf, nhsNumberOf, organisationName } from './record.ts';
import { render } from './templates.ts';
import { templateFor } from './templates.service.ts';

const LIMIT = 1000;

export interface RecallCandidate {
  patientId: string;
  name: string;
  nhsNumber: string | null;
  mobile: string | null;
  excluded: 'no mobile' | 'opted out' | 'deceased' | null;
}

function reviewOf(value: unknown): Review {
  return isReview(value) ? value : badRequest(`Choose a review: ${Object.keys(REVIEWS).join(', ')}`, ['review']);
}

export class RecallService {
  private readonly context: ModuleContext;
  private readonly messenger: Messenger;

  constructor(context: ModuleContext, messenger: Messenger) {
    this.context = context;
    this.messenger = messenger;
  }

  async preview(actor: Actor | undefined, input: { review?: unknown }) {
    const staff = requirePracticeStaff(actor, 'run recalls');
    const review = reviewOf(input.review);
    const candidates = await this.context.unitOfWork(this.context.systemActor, (uow) =>
      this.candidates(uow, staff.organizationId, review),
    );
    await this.audit(staff, review, candidates, 'preview');
    const included = candidates.filter((c) => !c.excluded);
    const practiceName = await organisationName(this.context.system, staff.organizationId);
    const template = await templateFor(this.context.db, staff.organizationId, 'recall');
    return {
      review,
      title: REVIEWS[review].title,
      count: included.length,
      excludedCount: candidates.length - included.length,
      example: render(template, { firstName: included[0] ? 'Alex' : '', practiceName, review: REVIEWS[review].text }),
      candidates,
    };
  }

  async send(actor: Actor | undefined, input: { review?: unknown }) {
    const staff = requirePracticeStaff(actor, 'send recalls');
    const review = reviewOf(input.review);
    const result = await this.context.unitOfWork(staff, async (uow) => {
      const system = uow.system();
      const candidates = await this.candidates(uow, staff.organizationId, review);
      const practiceName = await organisationName(system, staff.organizationId);
      const template = await templateFor(uow.tx, staff.organizationId, 'recall');
      let sent = 0;
      for (const candidate of candidates.filter((c) => !c.excluded)) {
        const patient = await system.read('Patient', candidate.patientId);
        const body = render(template, {
          firstName: firstName(JSON.parse(patient.json ?? '{}') as Patient),
          practiceName,
          review: REVIEWS[review].text,
        });
        const { optedOut } = await this.messenger.send(uow, {
          organizationId: staff.organizationId,
          phone: candidate.mobile!,
          patientId: candidate.patientId,
          patientName: candidate.name,
          kind: 'recall',
          body,
          sentBy: `Practitioner/${staff.practitionerId}`,
        });
        sent += optedOut ? 0 : 1;
      }
      const recall = await new PracticeSmsRepository(uow.tx).addRecall({
        organizationId: staff.organizationId,
        review,
        body: template,
        sentCount: sent,
        excludedCount: candidates.length - sent,
        sentBy: `Practitioner/${staff.practitionerId}`,
      });
      return { recall, candidates };
    });
    await this.audit(staff, review, result.candidates, 'send');
    return result.recall;
  }

  async history(actor: Actor | undefined) {
    const staff = requirePracticeStaff(actor, 'see recalls');
    return { recalls: await new PracticeSmsRepository(this.context.db).recalls(staff.organizationId) };
  }

  /** Registered, living or not, with the condition: who would be texted, and why not the others. */
  private async candidates(uow: UnitOfWork, organizationId: string, review: Review): Promise<RecallCandidate[]> {
    const system = uow.system();
    const bundle = await system.search('Patient', [
      ['general-practitioner', `Organization/${organizationId}`],
      ['_has:Condition:subject:code', REVIEWS[review].codes.map((c) => `http://snomed.info/sct|${c}`).join(',')],
      ['_count', String(LIMIT)],
    ]);
    if (bundle.link?.some((l) => l.relation === 'next')) {
      // Better refused than a recall that silently misses patients (hazard H-124).
      fail('too-costly', `More than ${LIMIT} patients match: recalls of this size are not supported yet`);
    }
    const patients = (bundle.entry ?? []).map((e) => e.resource as Patient);
    const mobiles = patients.map(mobileOf);
    const optedOut = await this.context.use('sms').optedOutAmong(
      mobiles.filter((m): m is string => Boolean(m)),
      { tx: uow.tx },
    );
    return patients
      .map((patient, i): RecallCandidate => {
        const mobile = mobiles[i] ?? null;
        const deceased = Boolean(patient.deceasedBoolean || patient.deceasedDateTime);
        return {
          patientId: patient.id!,
          name: fullName(patient),
          nhsNumber: nhsNumberOf(patient) ?? null,
          mobile,
          excluded: deceased ? 'deceased' : !mobile ? 'no mobile' : optedOut.has(mobile) ? 'opted out' : null,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async audit(staff: StaffActor, review: Review, candidates: RecallCandidate[], step: string): Promise<void> {
    await this.context.audit.record(staff, {
      interaction: 'search',
      resources: candidates.map((c) => `Patient/${c.patientId}`),
      patients: candidates.map((c) => c.patientId),
      query: `practice-sms recall ${review} (${step})`,
    });
  }
}
