/** The advice API's request bodies (zod), shared by the HTTP routes and the FHIR operations. */
import { z } from 'zod';
import { invalidInput } from '../../fhir/outcome.ts';
import { MAX_ATTACHMENTS, OUTCOMES, PRIORITIES, type AdviceOutcome } from './rules.ts';

const ATTACHMENT = z.object({
  contentType: z.string().min(1).max(100),
  data: z.string().min(1),
  title: z.string().trim().min(1).max(200).optional(),
  size: z.number().int().min(0).optional(),
});
const ATTACHMENTS = z.array(ATTACHMENT).max(MAX_ATTACHMENTS).default([]);
const TEXT = z.string().trim().min(2, 'write a message').max(8000);

export const REQUEST = z.object({
  patientId: z.string().min(1).max(64),
  serviceId: z.string().min(1).max(64),
  // A suspected cancer is a two-week-wait referral, never a question (H-234).
  priority: z.enum(['routine', 'urgent']).default('routine'),
  question: z.string().trim().min(10, 'ask the question in at least 10 characters').max(8000),
  attachments: ATTACHMENTS,
});
export const MESSAGE = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answer'), text: TEXT, attachments: ATTACHMENTS }),
  z.object({ kind: z.literal('question'), text: TEXT, attachments: ATTACHMENTS }),
  z.object({ kind: z.literal('reply'), text: TEXT, attachments: ATTACHMENTS }),
  z.object({
    kind: z.literal('propose-referral'),
    text: z.string().trim().min(10, 'say why a referral is needed, in at least 10 characters').max(8000),
    priority: z.enum(PRIORITIES),
    attachments: ATTACHMENTS,
  }),
  z.object({ kind: z.literal('accept-referral'), text: TEXT.optional(), attachments: ATTACHMENTS }),
  z.object({ kind: z.literal('decline-referral'), text: TEXT, attachments: ATTACHMENTS }),
]);
export const CLOSE = z.object({
  outcome: z.enum(Object.keys(OUTCOMES) as [AdviceOutcome, ...AdviceOutcome[]]),
  note: z.string().trim().max(4000).optional(),
});

export type MessageInput = z.infer<typeof MESSAGE>;

export type AttachmentInput = z.infer<typeof ATTACHMENT>;

export function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw invalidInput(parsed.error);
  }
  return parsed.data;
}
