/**
 * A write check on every path (REST, Bundle, import, the module's own writes): a message of an advice
 * and guidance conversation carries only safe attachments — PDF, JPEG or PNG, inline, within the size
 * limit, whose content is of the type it claims (H-235). Anything else is a 422 OperationOutcome and
 * nothing is stored.
 */
import type { Communication, Resource } from '@medplum/fhirtypes';
import type { WriteCheck } from '../../fhir/store/write-checks.ts';
import { hasCode, REFERRAL_SYSTEM } from '../lifecycle/vocabulary.ts';
import { attachmentProblems, MAX_ATTACHMENTS } from './rules.ts';
import { ADVICE_AND_GUIDANCE } from './vocabulary.ts';

export const adviceAttachmentCheck: WriteCheck = {
  name: 'referrals: advice and guidance attachments',
  types: ['Communication'],
  check: (_tx, resource: Resource) => {
    const message = resource as Communication;
    if (!hasCode(message.category, REFERRAL_SYSTEM, ADVICE_AND_GUIDANCE)) {
      return Promise.resolve([]);
    }
    const attachments = (message.payload ?? []).flatMap((p, i) =>
      p.contentAttachment ? [{ attachment: p.contentAttachment, label: `payload[${i}]` }] : [],
    );
    const problems = attachments.flatMap(({ attachment, label }) => attachmentProblems(attachment, label));
    if (attachments.length > MAX_ATTACHMENTS) {
      problems.push(`at most ${MAX_ATTACHMENTS} attachments a message`);
    }
    if ((message.payload ?? []).some((p) => p.contentReference)) {
      problems.push('a message may not point to other records (contentReference)');
    }
    return Promise.resolve(problems);
  },
};
