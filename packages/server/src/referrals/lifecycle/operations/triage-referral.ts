/**
 * `POST Task/{id}/$triage-referral`: the provider decides a referral sent for review or an advice
 * request — accept, reject or return with advice, with a coded reason (the patient gets a
 * plain-English letter). Distinct from the coordination hub's `Task/$triage`. Returns the Task.
 */
import type { Task } from '@medplum/fhirtypes';
import { defineOperation } from '../../../fhir/operations/define.ts';
import type { LifecycleDeps } from './deps.ts';

export const TRIAGE_REFERRAL = defineOperation<LifecycleDeps>({
  code: 'triage-referral',
  name: 'TaskTriageReferral',
  title: 'Triage an electronic referral',
  description:
    'Decides an electronic referral Task (code electronic-referral|referral-request) that is for review or an ' +
    'advice request: `decision` accept | reject (with `reason` and `note`) | return (with `reason` and `advice`). ' +
    'Reasons: criteria-not-met, wrong-service, insufficient-information (reject); manage-in-primary-care, ' +
    'tests-first (return). Staff of the provider that owns the Task only (403 for others who can see it, 404 for ' +
    'those who cannot); a Task in another state answers 409.',
  levels: ['instance'],
  resourceTypes: ['Task'],
  affectsState: true,
  parameters: [
    { name: 'decision', use: 'in', min: 1, max: 1, type: 'code', documentation: 'accept | reject | return' },
    { name: 'reason', use: 'in', min: 0, max: 1, type: 'code', documentation: 'The coded reason (reject, return)' },
    { name: 'note', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Why (reject), or a note (accept)' },
    { name: 'advice', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Advice for the referrer (return)' },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'Task' },
  ],
  scopes: [{ resourceType: 'Task', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) => {
    const body: Record<string, string> = {};
    for (const name of ['decision', 'reason', 'note', 'advice']) {
      const value = input.string(name);
      if (value !== undefined) {
        body[name] = value;
      }
    }
    const { task }: { task: Task } = await deps.lifecycle.triageTask(deps.actorOf(request), id!, body);
    return task;
  },
});
