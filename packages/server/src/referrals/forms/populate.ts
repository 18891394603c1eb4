/**
 * `Questionnaire/{id}/$populate` (SDC): a referral form pre-filled from the patient's record as the
 * caller may see it (problems, medicines, results in the last 90 days). Staff only; the patient must
 * be one the caller may see (404 otherwise, as for a patient who does not exist). Nothing is stored:
 * the referrer completes the response and creates it (`POST QuestionnaireResponse`).
 */
import type { QuestionnaireResponse } from '@medplum/fhirtypes';
import { requireStaff } from '../../access/guards.ts';
import { defineOperation } from '../../fhir/operations/define.ts';
import { invalidParameter } from '../../fhir/operations/parameters.ts';
import { notFound } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { readAs } from '../lifecycle/vocabulary.ts';
import { prefilled, recordLines } from './prefill.ts';
import { REFERRAL_FORMS } from './questionnaires.ts';

export interface FormsDeps {
  context: Pick<ModuleContext, 'recordAs' | 'actorOf'>;
}

export const POPULATE = defineOperation<FormsDeps>({
  code: 'populate',
  name: 'QuestionnairePopulate',
  title: 'Pre-fill a referral form from the record',
  base: 'http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-populate',
  description:
    "Returns a QuestionnaireResponse (status in-progress) for one of the module's referral forms, its record " +
    "items answered from the patient's active problems, active medicines and laboratory results of the last 90 " +
    'days, read as the caller may see them. Staff only; `subject` must be a patient the caller may see (404 ' +
    'otherwise). Nothing is stored.',
  levels: ['instance'],
  resourceTypes: ['Questionnaire'],
  affectsState: false,
  parameters: [
    { name: 'subject', use: 'in', min: 1, max: 1, type: 'Reference', targetTypes: ['Patient'] },
    { name: 'response', use: 'out', min: 1, max: 1, type: 'QuestionnaireResponse' },
  ],
  scopes: [
    { resourceType: 'Questionnaire', interaction: 'r' },
    { resourceType: 'Patient', interaction: 'r' },
  ],
  handler: async ({ request, deps, id, input }) => {
    const staff = requireStaff(deps.context.actorOf(request), { doing: 'fill in referral forms' });
    const form = REFERRAL_FORMS.find((q) => q.id === id);
    if (!form) {
      notFound(`Questionnaire/${id!} is not a referral form`);
    }
    const patientId = input.referenceId('subject');
    if (!patientId) {
      invalidParameter('subject', 'must reference the Patient');
    }
    const record = deps.context.recordAs(staff);
    await readAs(record, 'Patient', patientId);
    const response: QuestionnaireResponse = prefilled(
      form,
      patientId,
      await recordLines(record, patientId),
      `Practitioner/${staff.practitionerId}`,
    );
    return { resourceType: 'Parameters', parameter: [{ name: 'response', resource: response }] };
  },
});
