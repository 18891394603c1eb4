/**
 * "Your results are normal": a GP marks a result as normal-to-send and the patient is texted — the
 * words "results are normal" only when the patient agreed to clinical content by text (an extension
 * on their Patient record, docs/PRACTICE-SMS.md); otherwise a neutral "please check the NHS App".
 * The GP must be able to see the result (their own view of the record); once per result.
 */
import type { DiagnosticReport, Observation, Patient } from '@medplum/fhirtypes';
import type { Actor, StaffActor } from '../access/actor.ts';
import { badRequest, conflict, fail } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { CLINICIAN_ROLES, requirePracticeStaff } from './access.ts';
import type { Messenger } from './messenger.ts';
import { firstName, fullName, mobileOf, organisationName, parse } from './record.ts';
import { render } from './templates.ts';
import { templateFor } from './templates.service.ts';

/** On Patient: the patient agreed that texts may carry clinical content (valueBoolean true). */
export const CLINICAL_TEXTS_EXTENSION =
  'https://careweave.example/fhir/StructureDefinition/sms-clinical-content-agreed';

export function agreedToClinicalTexts(patient: Patient): boolean {
  return patient.extension?.some((e) => e.url === CLINICAL_TEXTS_EXTENSION && e.valueBoolean === true) ?? false;
}

function referenceOf(value: unknown): string {
  const reference = typeof value === 'string' ? value : '';
  const [type, id, rest] = reference.split('/');
  if ((type !== 'DiagnosticReport' && type !== 'Observation') || !id || rest !== undefined) {
    badRequest('Give the result as DiagnosticReport/{id} or Observation/{id}', ['reference']);
  }
  return reference;
}

export class ResultsService {
  private readonly context: ModuleContext;
  private readonly messenger: Messenger;

  constructor(context: ModuleContext, messenger: Messenger) {
    this.context = context;
    this.messenger = messenger;
  }

  /**
   * What marking this result normal would text, without sending: the GP confirms the exact words
   * (normal or neutral, by the patient's agreement), the number, and whether it was already sent.
   */
  async preview(actor: Actor | undefined, input: { reference?: unknown }) {
    const staff = requirePracticeStaff(actor, 'send “results are normal” texts', CLINICIAN_ROLES);
    const reference = referenceOf(input.reference);
    return this.context.unitOfWork(staff, async (uow) => {
      const text = await this.compose(uow, staff, reference);
      return {
        kind: text.kind,
        body: text.body,
        phone: text.phone ?? null,
        clinicalContentAgreed: text.agreed,
        alreadySent: await this.alreadySent(uow, staff, reference),
      };
    });
  }

  async sendNormal(actor: Actor | undefined, input: { reference?: unknown }) {
    const staff = requirePracticeStaff(actor, 'send “results are normal” texts', CLINICIAN_ROLES);
    const reference = referenceOf(input.reference);
    return this.context.unitOfWork(staff, async (uow) => {
      const text = await this.compose(uow, staff, reference);
      await uow.lock(`practice-sms:results:${reference}`);
      if (await this.alreadySent(uow, staff, reference)) {
        conflict('A results text has already been sent for this result');
      }
      if (!text.phone) {
        fail('business-rule', 'The patient has no mobile number in their record');
      }
      const { optedOut } = await this.messenger.send(uow, {
        organizationId: staff.organizationId,
        phone: text.phone,
        patientId: text.patientId,
        patientName: fullName(text.patient),
        kind: text.kind,
        body: text.body,
        about: reference,
        sentBy: `Practitioner/${staff.practitionerId}`,
      });
      return { kind: text.kind, body: text.body, optedOut, clinicalContentAgreed: text.agreed };
    });
  }

  /** The result (as the GP: one they may not see is absent), its patient, and the words for them. */
  private async compose(uow: UnitOfWork, staff: StaffActor, reference: string) {
    const [type, id] = reference.split('/') as [string, string];
    const result = parse<DiagnosticReport | Observation>((await uow.record.read(type, id)).json);
    const patientId = result.subject?.reference?.startsWith('Patient/')
      ? result.subject.reference.slice('Patient/'.length)
      : badRequest('The result is not about a patient', ['reference']);
    const patient = parse<Patient>((await uow.record.read('Patient', patientId)).json);
    const agreed = agreedToClinicalTexts(patient);
    const kind = agreed ? ('results-normal' as const) : ('results-neutral' as const);
    const practiceName = await organisationName(uow.system(), staff.organizationId);
    const body = render(await templateFor(uow.tx, staff.organizationId, kind), {
      firstName: firstName(patient),
      practiceName,
    });
    return { patientId, patient, phone: mobileOf(patient), agreed, kind, body };
  }

  private async alreadySent(uow: UnitOfWork, staff: StaffActor, reference: string): Promise<boolean> {
    const rows = await uow.tx.query(
      `select 1 from practice_sms_message where organization_id = $1 and kind like 'results%' and about = $2`,
      [staff.organizationId, reference],
    );
    return rows.length > 0;
  }
}
