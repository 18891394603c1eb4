/** `POST Task/{id}/$close-advice`: the practice that asked closes the conversation with its coded outcome. */
import { defineOperation } from '../../../fhir/operations/define.ts';
import { result, RESULT_PARAMETERS, type AdviceDeps } from './deps.ts';

export const CLOSE_ADVICE = defineOperation<AdviceDeps>({
  code: 'close-advice',
  name: 'TaskCloseAdvice',
  title: 'Close an advice and guidance request',
  description:
    'Closes the advice request Task with `outcome` referral-avoided | referral-made | other (kept in ' +
    'Task.output) and an optional `note`; completes the request, which ends the provider’s access to the ' +
    'patient through it. The practice that asked only, while awaiting advice, asked for more or answered ' +
    '(a pending referral proposal is answered with $advice-message).',
  levels: ['instance'],
  resourceTypes: ['Task'],
  affectsState: true,
  parameters: [
    { name: 'outcome', use: 'in', min: 1, max: 1, type: 'code' },
    { name: 'note', use: 'in', min: 0, max: 1, type: 'string' },
    ...RESULT_PARAMETERS,
  ],
  scopes: [
    { resourceType: 'Task', interaction: 'u' },
    { resourceType: 'ServiceRequest', interaction: 'u' },
  ],
  handler: async ({ request, deps, id, input }) =>
    result(
      await deps.advice.close(deps.actorOf(request), id!, {
        outcome: input.string('outcome'),
        ...(input.string('note') !== undefined ? { note: input.string('note') } : {}),
      }),
    ),
});
