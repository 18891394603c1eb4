/**
 * "Your results are normal": a GP marks a result as normal-to-send and the patient is texted — the
 * words "results are normal" only when the patient agreed to clinical content by text (an extension
 * on their Patient record, docs/PRACTICE-SMS.md); otherwise a neutral "please check the NHS App".
 * The GP must be able to see the result (their own view of the record); once per result.
 */
import type { DiagnosticReport, Observation, Patient } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import { badRequest, conflict, fail } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
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

export class ResultsService {
  private readonly context: ModuleContext;
  private readonly messenger: Messenger;

  constructor(context: ModuleContext, messenger: Messenger) {
    this.context = context;
    this.messenger = messenger;
  }

  async sendNormal(actor: Actor | undefined, input: { reference?: unknown }) {
    const staff = requirePracticeStaff(actor, 'send “results are normal” texts', CLINICIAN_ROLES);
    const reference = typeof input.reference === 'string' ? input.reference : '';
    const [type, id] = reference.split('/');
    if ((type !== 'DiagnosticReport' && type !== 'Observation') || !id) {
      badRequest('Give the result as DiagnosticReport/{id} or Observation/{id}', ['reference']);
    }
    return this.context.unitOfWork(staff, async (uow) => {
      // As the GP: a result they may not see is answered as absent.
      const result = parse<DiagnosticReport | Observation>((await uow.record.read(type, id)).json);
      const patientId = result.subject?.reference?.startsWith('Patient/')
        ? result.subject.reference.slice('Patient/'.length)
        : badRequest('The result is not about a patient', ['reference']);
      await uow.lock(`practice-sms:results:${reference}`);
      const already = await uow.tx.query(
        `select 1 from practice_sms_message where organization_id = $1 and kind like 'results%' and about = $2`,
        [staff.organizationId, reference],
      );
      if (already.length) {
        conflict('A results text has already been sent for this result');
      }
      const patient = parse<Patient>((await uow.record.read('Patient', patientId)).json);
      const phone = mobileOf(patient);
      if (!phone) {
        fail('business-rule', 'The patient has no mobile number in their record');
      }
      const agreed = agreedToClinicalTexts(patient);
      const kind = agreed ? 'results-normal' : 'results-neutral';
      const practiceName = await organisationName(uow.system(), staff.organizationId);
      const body = render(await templateFor(uow.tx, staff.organizationId, kind), {
        firstName: firstName(patient),
        practiceName,
      });
      const { optedOut } = await this.messenger.send(uow, {
        organizationId: staff.organizationId,
        phone,
        patientId,
        patientName: fullName(patient),
        kind,
        body,
        about: reference,
        sentBy: `Practitioner/${staff.practitionerId}`,
      });
      return { kind, body, optedOut, clinicalContentAgreed: agreed };
    });
  }
}
