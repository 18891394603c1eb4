/**
 * `POST CarePlan/{id}/$telehealth-summary`: the one-click summary of a telehealth enrolment, filed
 * in the record as a Composition authored by the caller and returned (201).
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import { defineOperation } from '../../fhir/operations/define.ts';
import { invalidParameter } from '../../fhir/operations/parameters.ts';
import type { SummaryService } from './summary.service.ts';

export interface SummaryDeps {
  summary: SummaryService;
  actorOf(request: FastifyRequest): Actor | undefined;
}

/** The `CarePlan/$telehealth-summary` operation (registered in the module's `fhir` part). */
export const TELEHEALTH_SUMMARY = defineOperation<SummaryDeps>({
  code: 'telehealth-summary',
  name: 'CarePlanTelehealthSummary',
  title: 'File a telehealth summary',
  description:
    'Builds a summary of a telehealth enrolment (a CarePlan) over the last `days` (default 30): for each measure the ' +
    'number of readings, lowest, highest and latest and how many were green, amber and red; the alerts and what was ' +
    'done about them; and engagement (prompts sent, rounds answered, response rate, last reply). Files it in the ' +
    "patient's record as a `Composition` (final, LOINC 34133-9) authored by the caller, through the caller's access, " +
    'and returns it. Staff only; a plan the caller may not see answers 404.',
  levels: ['instance'],
  resourceTypes: ['CarePlan'],
  affectsState: true,
  parameters: [
    { name: 'days', use: 'in', min: 0, max: 1, type: 'integer', documentation: 'The period, 1–365 days (default 30)' },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'Composition', documentation: 'The summary as filed' },
  ],
  scopes: [
    { resourceType: 'CarePlan', interaction: 'r' },
    { resourceType: 'Composition', interaction: 'c' },
  ],
  handler: async ({ request, deps, id, input }) => {
    const days = input.integer('days') ?? 30;
    if (days < 1 || days > 365) {
      invalidParameter('days', 'must be between 1 and 365');
    }
    return { status: 201, resource: await deps.summary.file(deps.actorOf(request), id!, days) };
  },
});
