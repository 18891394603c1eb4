/**
 * Recalls: a practice member picks a review the module defines; the search runs as the module's
 * system actor over the practice's registered patients only (`general-practitioner` = the caller's
 * organisation) and returns demographics and why a patient would not be texted — never the record
 * itself. Sending texts everyone included, from the practice's recall template, in one unit.
 */
import type { Condition, Encounter, Patient } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../access/actor.ts';
import { badRequest, fail } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { requirePracticeStaff } from './access.ts';
import type { Messenger } from './messenger.ts';
import { PracticeSmsRepository } from './practice-sms.repository.ts';
import {
  REVIEW_ENCOUNTER_TYPE,
  REVIEWED_WITHIN_MONTHS,
  REVIEWS,
  isReview,
  reviewedSince,
  type Review,
} from './recalls.ts';
import { firstName, fullName, mobileOf, nhsNumberOf, organisationName } from './record.ts';
import { render } from './templates.ts';
import { templateFor } from './templates.service.ts';

const LIMIT = 1000;
/** Patients per search for their reviews (a search parameter takes at most 100 values). */
const BATCH = 100;

export const RECENTLY_REVIEWED = `reviewed in the last ${REVIEWED_WITHIN_MONTHS} months`;

export interface RecallCandidate {
  patientId: string;
  name: string;
  nhsNumber: string | null;
  mobile: string | null;
  excluded: 'no mobile' | 'opted out' | 'deceased' | typeof RECENTLY_REVIEWED | null;
  /** The start of their last review at the practice in the window, when reviews were asked about. */
  lastReviewed?: string | null;
}

interface RecallOptions {
  review: Review;
  /** Leave out patients reviewed at the practice in the last 12 months. */
  notReviewedRecently: boolean;
}

function optionsOf(input: { review?: unknown; notReviewedRecently?: unknown }): RecallOptions {
  if (input.notReviewedRecently !== undefined && typeof input.notReviewedRecently !== 'boolean') {
    badRequest('notReviewedRecently must be true or false', ['notReviewedRecently']);
  }
  return { review: reviewOf(input.review), notReviewedRecently: input.notReviewedRecently === true };
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

  async preview(actor: Actor | undefined, input: { review?: unknown; notReviewedRecently?: unknown }) {
    const staff = requirePracticeStaff(actor, 'run recalls');
    const options = optionsOf(input);
    const { review } = options;
    const candidates = await this.context.unitOfWork(this.context.systemActor, (uow) =>
      this.candidates(uow, staff.organizationId, options),
    );
    await this.audit(staff, options, candidates, 'preview');
    const included = candidates.filter((c) => !c.excluded);
    const practiceName = await organisationName(this.context.system, staff.organizationId);
    const template = await templateFor(this.context.db, staff.organizationId, 'recall');
    return {
      review,
      notReviewedRecently: options.notReviewedRecently,
      title: REVIEWS[review].title,
      count: included.length,
      excludedCount: candidates.length - included.length,
      example: render(template, { firstName: included[0] ? 'Alex' : '', practiceName, review: REVIEWS[review].text }),
      candidates,
    };
  }

  async send(actor: Actor | undefined, input: { review?: unknown; notReviewedRecently?: unknown }) {
    const staff = requirePracticeStaff(actor, 'send recalls');
    const options = optionsOf(input);
    const { review } = options;
    const result = await this.context.unitOfWork(staff, async (uow) => {
      const system = uow.system();
      const candidates = await this.candidates(uow, staff.organizationId, options);
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
    await this.audit(staff, options, result.candidates, 'send');
    return result.recall;
  }

  async history(actor: Actor | undefined) {
    const staff = requirePracticeStaff(actor, 'see recalls');
    return { recalls: await new PracticeSmsRepository(this.context.db).recalls(staff.organizationId) };
  }

  /** Registered, living or not, with the condition: who would be texted, and why not the others. */
  private async candidates(
    uow: UnitOfWork,
    organizationId: string,
    { review, notReviewedRecently }: RecallOptions,
  ): Promise<RecallCandidate[]> {
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
    const reviewed = notReviewedRecently
      ? await this.lastReviews(
          uow,
          organizationId,
          review,
          patients.map((p) => p.id!),
        )
      : undefined;
    const optedOut = await this.context.use('sms').optedOutAmong(
      mobiles.filter((m): m is string => Boolean(m)),
      { tx: uow.tx },
    );
    return patients
      .map((patient, i): RecallCandidate => {
        const mobile = mobiles[i] ?? null;
        const deceased = Boolean(patient.deceasedBoolean || patient.deceasedDateTime);
        const lastReviewed = reviewed?.get(patient.id!) ?? null;
        return {
          patientId: patient.id!,
          name: fullName(patient),
          nhsNumber: nhsNumberOf(patient) ?? null,
          mobile,
          excluded: deceased
            ? 'deceased'
            : lastReviewed
              ? RECENTLY_REVIEWED
              : !mobile
                ? 'no mobile'
                : optedOut.has(mobile)
                  ? 'opted out'
                  : null,
          ...(reviewed ? { lastReviewed } : {}),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * When each patient was last reviewed at this practice for this review within the last 12 months
   * (docs/PRACTICE-SMS.md, "Not reviewed in the last 12 months"): a finished or in-progress
   * Encounter whose `serviceProvider` is the practice, typed as a long-term-condition review, that
   * started on or after the date 12 months ago, and names one of the patient's conditions of this
   * review as its `reasonReference`. A review naming no condition, or another condition only (say
   * diabetes, for an asthma recall), does not count: better texted twice than left out (H-135).
   */
  private async lastReviews(
    uow: UnitOfWork,
    organizationId: string,
    review: Review,
    patientIds: string[],
  ): Promise<Map<string, string>> {
    const system = uow.system();
    const since = reviewedSince(new Date());
    const codes = REVIEWS[review].codes.map((c) => `http://snomed.info/sct|${c}`).join(',');
    const last = new Map<string, string>();
    for (let i = 0; i < patientIds.length; i += BATCH) {
      const subjects = patientIds
        .slice(i, i + BATCH)
        .map((id) => `Patient/${id}`)
        .join(',');
      const encounters = await system.search('Encounter', [
        ['subject', subjects],
        ['service-provider', `Organization/${organizationId}`],
        ['type', `${REVIEW_ENCOUNTER_TYPE.system}|${REVIEW_ENCOUNTER_TYPE.code}`],
        ['date', `ge${since.toISOString()}`],
        ['_count', String(LIMIT)],
      ]);
      const conditions = await system.search('Condition', [
        ['subject', subjects],
        ['code', codes],
        ['_count', String(LIMIT)],
      ]);
      if ([encounters, conditions].some((b) => b.link?.some((l) => l.relation === 'next'))) {
        fail('too-costly', `Too many reviews to check: recalls of this size are not supported yet`);
      }
      const ofReview = new Set((conditions.entry ?? []).map((e) => `Condition/${(e.resource as Condition).id}`));
      for (const encounter of (encounters.entry ?? []).map((e) => e.resource as Encounter)) {
        const patientId = encounter.subject?.reference?.slice('Patient/'.length);
        const start = encounter.period?.start;
        const reasons = (encounter.reasonReference ?? []).map((r) => r.reference ?? '');
        const counts =
          (encounter.status === 'finished' || encounter.status === 'in-progress') &&
          reasons.some((r) => ofReview.has(r));
        if (!patientId || !start || !counts || new Date(start) < since) {
          continue;
        }
        if (!last.has(patientId) || last.get(patientId)! < start) {
          last.set(patientId, start);
        }
      }
    }
    return last;
  }

  private async audit(
    staff: StaffActor,
    { review, notReviewedRecently }: RecallOptions,
    candidates: RecallCandidate[],
    step: string,
  ): Promise<void> {
    await this.context.audit.record(staff, {
      interaction: 'search',
      resources: candidates.map((c) => `Patient/${c.patientId}`),
      patients: candidates.map((c) => c.patientId),
      query: `practice-sms recall ${review}${notReviewedRecently ? ' not-reviewed-12-months' : ''} (${step})`,
    });
  }
}
