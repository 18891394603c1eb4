/**
 * `POST Task/{id}/$advice-message`: a message in an advice and guidance conversation — the provider's
 * `answer`, `question` or `propose-referral` (with `priority`); the GP's `reply`, `accept-referral`
 * (a referral draft, linked) or `decline-referral`.
 */
import { defineOperation } from '../../../fhir/operations/define.ts';
import { ATTACHMENT_PARAMETER, attachmentsOf, result, RESULT_PARAMETERS, type AdviceDeps } from './deps.ts';

export const ADVICE_MESSAGE = defineOperation<AdviceDeps>({
  code: 'advice-message',
  name: 'TaskAdviceMessage',
  title: 'Write in an advice and guidance conversation',
  description:
    'Adds a message to the advice request Task (code electronic-referral|advice-request). `kind`: answer | ' +
    'question | propose-referral (the provider that owns the Task) or reply | accept-referral | decline-referral ' +
    '(the practice that asked). `propose-referral` needs `priority` (routine | urgent | two-week-wait); ' +
    '`accept-referral` makes the referral draft through the lifecycle, based on the request, and closes it ' +
    '(outcome referral-made). Others who can see the Task get 403, those who cannot 404; a kind the ' +
    'conversation is not ready for 409.',
  levels: ['instance'],
  resourceTypes: ['Task'],
  affectsState: true,
  parameters: [
    { name: 'kind', use: 'in', min: 1, max: 1, type: 'code' },
    { name: 'text', use: 'in', min: 0, max: 1, type: 'string' },
    { name: 'priority', use: 'in', min: 0, max: 1, type: 'code', documentation: 'For propose-referral' },
    ATTACHMENT_PARAMETER,
    ...RESULT_PARAMETERS,
  ],
  scopes: [
    { resourceType: 'Task', interaction: 'u' },
    { resourceType: 'Communication', interaction: 'c' },
  ],
  handler: async ({ request, deps, id, input }) =>
    result(
      await deps.advice.message(deps.actorOf(request), id!, {
        kind: input.string('kind'),
        ...(input.string('text') !== undefined ? { text: input.string('text') } : {}),
        ...(input.string('priority') ? { priority: input.string('priority') } : {}),
        attachments: attachmentsOf(input),
      }),
    ),
});
