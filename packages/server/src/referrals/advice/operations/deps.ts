import type { FastifyRequest } from 'fastify';
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { Actor } from '../../../access/actor.ts';
import type { ParameterDeclaration } from '../../../fhir/operations/define.ts';
import type { OperationInput } from '../../../fhir/operations/parameters.ts';
import type { AdviceService } from '../advice.service.ts';
import type { AdviceThread } from '../thread.ts';

/** What advice and guidance's operations need. */
export interface AdviceDeps {
  advice: AdviceService;
  actorOf(request: FastifyRequest): Actor | undefined;
}

/** The `attachment` in-parameter every advice operation takes (checked again by the write check). */
export const ATTACHMENT_PARAMETER: ParameterDeclaration = {
  name: 'attachment',
  use: 'in',
  min: 0,
  max: '*',
  type: 'Attachment',
  documentation: 'A PDF, JPEG or PNG, inline (`data`), at most 2 MB; at most 5',
};

/** What every advice operation answers: where the conversation now is. */
export const RESULT_PARAMETERS: readonly ParameterDeclaration[] = [
  { name: 'task', use: 'out', min: 1, max: 1, type: 'Reference', targetTypes: ['Task'] },
  { name: 'businessStatus', use: 'out', min: 1, max: 1, type: 'code' },
  { name: 'due', use: 'out', min: 0, max: 1, type: 'dateTime' },
  { name: 'outcome', use: 'out', min: 0, max: 1, type: 'code' },
  { name: 'referral', use: 'out', min: 0, max: 1, type: 'Reference', targetTypes: ['ServiceRequest'] },
];

export function attachmentsOf(input: OperationInput): unknown[] {
  return input.values('attachment').map((p) => p.valueAttachment);
}

export function result(thread: AdviceThread): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'task', valueReference: { reference: thread.task } },
    { name: 'businessStatus', valueCode: thread.status },
    ...(thread.dueAt ? [{ name: 'due', valueDateTime: thread.dueAt }] : []),
    ...(thread.outcome ? [{ name: 'outcome', valueCode: thread.outcome.code }] : []),
    ...(thread.referral ? [{ name: 'referral', valueReference: { reference: thread.referral } }] : []),
  ];
  return { resourceType: 'Parameters', parameter };
}
