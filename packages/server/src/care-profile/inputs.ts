/**
 * What a clinician records for a profile, as FHIR (docs/CARE-PROFILE.md, "What clinicians record"):
 * what matters to me and anticipatory care / end-of-life wishes are `Goal`s expressed by the
 * patient; communication needs and the ReSPECT form (its CPR recommendation coded) are `Flag`s, the
 * way NHS systems alert to reasonable adjustments and resuscitation decisions. Each carries the
 * category `care-profile-input|{kind}` by which the profile finds it. Pure.
 */
import type { Flag, Goal } from '@medplum/fhirtypes';
import { z } from 'zod';
import { CPR_RECOMMENDATIONS, INPUT_KINDS, INPUT_SYSTEM, RESPECT_SYSTEM, SECTIONS, type InputKind } from './codes.ts';

const TEXT = z.string().trim().min(1, 'is required').max(1000, 'is at most 1,000 characters');
const DATE = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')
  .optional();

export const INPUT_BODY = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('what-matters'), text: TEXT }),
  z.object({ kind: z.literal('end-of-life'), text: TEXT }),
  z.object({ kind: z.literal('communication'), text: TEXT }),
  z.object({
    kind: z.literal('respect'),
    cpr: z.enum(Object.keys(CPR_RECOMMENDATIONS) as [keyof typeof CPR_RECOMMENDATIONS]),
    text: TEXT,
    date: DATE,
  }),
]);
export type InputBody = z.infer<typeof INPUT_BODY>;

const category = (kind: InputKind) => [
  {
    coding: [{ system: INPUT_SYSTEM, code: kind }],
    text: SECTIONS.find((s) => s.key === INPUT_KINDS[kind].section)!.title,
  },
];

/** The Goal or Flag that records `body` for `patientId`, by `author` (`Practitioner/{id}`), on `today`. */
export function inputResource(body: InputBody, patientId: string, author: string, today: string): Goal | Flag {
  const subject = { reference: `Patient/${patientId}` };
  if (body.kind === 'what-matters' || body.kind === 'end-of-life') {
    return {
      resourceType: 'Goal',
      lifecycleStatus: 'active',
      category: category(body.kind),
      description: { text: body.text },
      subject,
      startDate: today,
      // The person's own words, recorded by the clinician.
      expressedBy: subject,
    };
  }
  if (body.kind === 'communication') {
    return {
      resourceType: 'Flag',
      status: 'active',
      category: category(body.kind),
      code: { text: body.text },
      subject,
      period: { start: today },
      author: { reference: author },
    };
  }
  return {
    resourceType: 'Flag',
    status: 'active',
    category: category('respect'),
    code: {
      coding: [{ system: RESPECT_SYSTEM, code: body.cpr, display: CPR_RECOMMENDATIONS[body.cpr] }],
      text: body.text,
    },
    subject,
    period: { start: body.date ?? today },
    author: { reference: author },
  };
}

/** The same input, no longer in force (`Goal` cancelled, `Flag` inactive). */
export function ended<T extends Goal | Flag>(resource: T): T {
  return resource.resourceType === 'Goal'
    ? { ...resource, lifecycleStatus: 'cancelled' }
    : { ...resource, status: 'inactive', period: { ...resource.period, end: new Date().toISOString().slice(0, 10) } };
}
