/**
 * `POST /api/referrals/tasks/{id}/letter-preview` `{ reason }` → `{ letter }`: the letter the patient
 * would be sent if the provider rejected or returned the referral with this coded reason, so the
 * triager reads it before deciding (H-206). The provider's staff only (the Task's owner), while the
 * referral is waiting for triage; everything read as the caller (hidden = absent, 404). Nothing is stored.
 */
import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { conflict, fail, invalidInput } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { patientLetter } from './letter.ts';
import { ALLOWED_FROM, BUSINESS_STATUSES, OUTCOME_REASONS, type BusinessStatus, type OutcomeReason } from './rules.ts';
import { codeOf, hasCode, idIn, readAs, REFERRAL_STATUS_SYSTEM, REFERRAL_SYSTEM, REFERRAL_TASK } from './vocabulary.ts';

const PREVIEW = z.object({ reason: z.enum(Object.keys(OUTCOME_REASONS) as [OutcomeReason, ...OutcomeReason[]]) });

export class LetterPreview {
  private readonly context: Pick<ModuleContext, 'recordAs'>;

  constructor(context: Pick<ModuleContext, 'recordAs'>) {
    this.context = context;
  }

  async preview(actor: Actor | undefined, taskId: string, body: unknown): Promise<{ letter: string }> {
    const staff = requireStaff(actor, { doing: 'preview referral letters' });
    const parsed = PREVIEW.safeParse(body ?? {});
    if (!parsed.success) {
      throw invalidInput(parsed.error);
    }
    const record = this.context.recordAs(staff);
    const { resource: task } = await readAs<Task>(record, 'Task', taskId);
    if (!hasCode(task.code, REFERRAL_SYSTEM, REFERRAL_TASK)) {
      fail('not-found', `Task/${taskId} is not a referral`);
    }
    if (task.owner?.reference !== `Organization/${staff.organizationId}`) {
      fail('forbidden', 'Only the provider the referral was sent to may do this');
    }
    const status = codeOf(task.businessStatus, REFERRAL_STATUS_SYSTEM) as BusinessStatus | undefined;
    if (!status || !ALLOWED_FROM.triage.includes(status)) {
      conflict(`The referral is ${status ? BUSINESS_STATUSES[status] : 'in an unknown state'}: it is not for triage`);
    }
    const { resource: request } = await readAs<ServiceRequest>(
      record,
      'ServiceRequest',
      idIn(task.focus?.reference, 'ServiceRequest')!,
    );
    const { resource: patient } = await readAs<Patient>(record, 'Patient', idIn(task.for?.reference, 'Patient')!);
    return { letter: patientLetter({ request, task, patient, reason: parsed.data.reason }) };
  }
}

type PreviewRequest = FastifyRequest<{ Params: { id: string }; Body: unknown }>;

export function registerLetterPreview(
  app: FastifyInstance,
  preview: LetterPreview,
  actorOf: (request: FastifyRequest) => Actor | undefined,
): void {
  app.post('/api/referrals/tasks/:id/letter-preview', (request: PreviewRequest) =>
    preview.preview(actorOf(request), request.params.id, request.body),
  );
}
