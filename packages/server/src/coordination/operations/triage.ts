/**
 * `POST Task/{id}/$triage`: the single point of access decides a referral (accept with a priority and
 * a care coordinator, reject with a reason, or redirect to another organisation), for FHIR clients.
 * The same service as `POST /api/coordination/referrals/{id}/triage`; returns the updated Task.
 */
import type { Task } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import { defineOperation } from '../../fhir/operations/define.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { ReferralService } from '../referral.service.ts';

export interface TriageDeps {
  referrals: ReferralService;
  context: Pick<ModuleContext, 'recordAs' | 'actorOf'>;
}

export const TRIAGE = defineOperation<TriageDeps>({
  code: 'triage',
  name: 'TaskTriage',
  title: 'Triage a referral to the single point of access',
  description:
    'Decides a care-coordination referral (a Task with code care-coordination|spa-referral, status requested): ' +
    '`decision` accept (with `priority` routine|urgent|asap and `coordinator`, a Practitioner id: creates or updates ' +
    "the patient's care-coordination CareTeam and CarePlan), reject (with `reason`) or redirect (with `organization` " +
    'and `reason`; the referrer is told). Staff of the single point of access only; a Task the caller may not see ' +
    'answers 404; one already triaged answers 409.',
  levels: ['instance'],
  resourceTypes: ['Task'],
  affectsState: true,
  parameters: [
    { name: 'decision', use: 'in', min: 1, max: 1, type: 'code', documentation: 'accept | reject | redirect' },
    { name: 'priority', use: 'in', min: 0, max: 1, type: 'code', documentation: 'routine | urgent | asap (accept)' },
    { name: 'coordinator', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Practitioner id (accept)' },
    { name: 'organization', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Organization id (redirect)' },
    { name: 'reason', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Why (reject, redirect)' },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'Task', documentation: 'The referral Task as triaged' },
  ],
  scopes: [{ resourceType: 'Task', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) => {
    const actor: Actor | undefined = deps.context.actorOf(request);
    const body: Record<string, string> = {};
    for (const name of ['decision', 'priority', 'coordinator', 'organization', 'reason']) {
      const value = input.string(name);
      if (value !== undefined) {
        body[name] = value;
      }
    }
    await deps.referrals.triage(actor, id!, body);
    const stored = await deps.context.recordAs(actor!).read('Task', id!);
    return JSON.parse(stored.json ?? '{}') as Task;
  },
});
