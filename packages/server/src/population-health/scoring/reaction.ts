/**
 * Rescoring one patient within seconds of a new admission, A&E attendance, long-term-condition
 * diagnosis or red telehealth alert (H-144). Only recent events count as new: a backfilled record from
 * years ago (an import) is left to the nightly run rather than flooding the queue.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Reaction } from '../../events/bus.ts';
import { eventKindOf } from '../history/history.ts';
import type { RiskModel } from '../model/model.ts';
import { CONDITION_BY_SNOMED, SNOMED, TASK_CODE } from '../vocabulary.ts';
import type { ScoringService } from './scoring.service.ts';

/** How recent an event must be to rescore at once. */
export const RESCORE_WINDOW_DAYS = 14;

function recent(date: string | undefined, now = Date.now()): boolean {
  if (!date) {
    return false;
  }
  const time = Date.parse(date);
  return Number.isFinite(time) && now - time <= RESCORE_WINDOW_DAYS * 86_400_000 && time <= now + 86_400_000;
}

/** Whether a written resource is news the model should hear at once. */
export function triggersRescore(resource: Resource): boolean {
  switch (resource.resourceType) {
    case 'Encounter': {
      const kind = eventKindOf(resource);
      return (kind === 'emergency-admission' || kind === 'ae') && recent(resource.period?.start);
    }
    case 'Condition': {
      const condition = resource;
      const ltc = (condition.code?.coding ?? []).some(
        (c) => c.system === SNOMED && CONDITION_BY_SNOMED.has(c.code ?? ''),
      );
      return ltc && recent(condition.recordedDate ?? condition.onsetDateTime ?? condition.meta?.lastUpdated);
    }
    case 'Task': {
      const task = resource;
      const alert = (task.code?.coding ?? []).some((c) => c.system === TASK_CODE && c.code === 'telehealth-alert');
      return alert && task.priority === 'stat' && recent(task.authoredOn ?? task.meta?.lastUpdated);
    }
    default:
      return false;
  }
}

function patientOf(resource: Resource): string | undefined {
  const reference =
    (resource as { subject?: { reference?: string } }).subject?.reference ??
    (resource as { for?: { reference?: string } }).for?.reference;
  return reference?.startsWith('Patient/') ? reference.slice('Patient/'.length) : undefined;
}

export function rescoreReaction(scoring: ScoringService, model: () => RiskModel): Reaction {
  return {
    name: 'population-health-rescore',
    types: ['Encounter', 'Condition', 'Task'],
    interactions: ['create', 'update'],
    filter: (resource) => triggersRescore(resource),
    handle: async (event) => {
      const patientId = event.resource ? patientOf(event.resource) : undefined;
      if (patientId) {
        await scoring.rescore(model(), patientId);
      }
    },
  };
}
