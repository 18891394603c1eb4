/**
 * `POST HealthcareService/{id}/$request-advice`: a GP asks the service a question about a patient
 * (advice and guidance). Files the GP's ServiceRequest, the provider's Task and the first message.
 */
import { defineOperation } from '../../../fhir/operations/define.ts';
import { ATTACHMENT_PARAMETER, attachmentsOf, result, RESULT_PARAMETERS, type AdviceDeps } from './deps.ts';

export const REQUEST_ADVICE = defineOperation<AdviceDeps>({
  code: 'request-advice',
  name: 'HealthcareServiceRequestAdvice',
  title: 'Ask a service for advice and guidance',
  description:
    'Asks the HealthcareService (its providing organisation) a `question` about `patient` (a Patient id the ' +
    'caller may see; 404 otherwise), `priority` routine | urgent (a suspected cancer is a two-week-wait ' +
    'referral, not a question). Attachments: PDF, JPEG or PNG only (422 otherwise). Returns the Task, its ' +
    'business status and when the answer is due (CAREWEAVE_REFERRALS_ADVICE_RESPONSE_WORKING_DAYS).',
  levels: ['instance'],
  resourceTypes: ['HealthcareService'],
  affectsState: true,
  parameters: [
    { name: 'patient', use: 'in', min: 1, max: 1, type: 'string', documentation: 'Patient id' },
    { name: 'question', use: 'in', min: 1, max: 1, type: 'string' },
    { name: 'priority', use: 'in', min: 0, max: 1, type: 'code', documentation: 'routine | urgent' },
    ATTACHMENT_PARAMETER,
    ...RESULT_PARAMETERS,
  ],
  scopes: [
    { resourceType: 'ServiceRequest', interaction: 'c' },
    { resourceType: 'Communication', interaction: 'c' },
  ],
  handler: async ({ request, deps, id, input }) =>
    result(
      await deps.advice.request(deps.actorOf(request), {
        serviceId: id,
        patientId: input.string('patient'),
        question: input.string('question'),
        ...(input.string('priority') ? { priority: input.string('priority') } : {}),
        attachments: attachmentsOf(input),
      }),
    ),
});
