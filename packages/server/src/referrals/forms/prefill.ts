/**
 * Fills a referral form from the patient's record as the caller may see it (problems, medicines,
 * recent results): a `QuestionnaireResponse` in progress for the referrer to complete. What the caller
 * may not see is not in it — the record's access policy applies to every read.
 */
import type {
  Condition,
  MedicationRequest,
  Observation,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
} from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { searchAs } from '../lifecycle/vocabulary.ts';
import { PREFILL_EXTENSION, type Prefill } from './questionnaires.ts';

const RESULTS_DAYS = 90;

const label = (c: { text?: string; coding?: { display?: string }[] } | undefined): string | undefined =>
  c?.text ?? c?.coding?.find((x) => x.display)?.display;

function observationLine(o: Observation): string | undefined {
  const name = label(o.code);
  if (!name) {
    return undefined;
  }
  const value = o.valueQuantity
    ? `${o.valueQuantity.value ?? ''} ${o.valueQuantity.unit ?? ''}`.trim()
    : (o.valueString ?? label(o.valueCodeableConcept));
  const when = (o.effectiveDateTime ?? o.issued ?? '').slice(0, 10);
  return `${name}: ${value ?? 'no value'}${when ? ` (${when})` : ''}`;
}

/** The lines each prefill source gives, read through `record`. */
export async function recordLines(record: ResourceService, patientId: string): Promise<Record<Prefill, string[]>> {
  const subject = `Patient/${patientId}`;
  const since = new Date(Date.now() - RESULTS_DAYS * 86_400_000).toISOString().slice(0, 10);
  const [conditions, medicines, results] = await Promise.all([
    searchAs<Condition>(record, 'Condition', [
      ['subject', subject],
      ['clinical-status', 'active'],
      ['_count', '50'],
    ]),
    searchAs<MedicationRequest>(record, 'MedicationRequest', [
      ['subject', subject],
      ['status', 'active'],
      ['_count', '50'],
    ]),
    searchAs<Observation>(record, 'Observation', [
      ['subject', subject],
      ['category', 'laboratory'],
      ['date', `ge${since}`],
      ['_sort', '-date'],
      ['_count', '20'],
    ]),
  ]);
  return {
    problems: conditions.map((c) => label(c.code)).filter((l): l is string => !!l),
    medications: medicines
      .map((m) => {
        const name = label(m.medicationCodeableConcept) ?? m.medicationReference?.display;
        const dose = m.dosageInstruction?.[0]?.text;
        return name ? (dose ? `${name} — ${dose}` : name) : undefined;
      })
      .filter((l): l is string => !!l),
    results: results.map(observationLine).filter((l): l is string => !!l),
  };
}

/** A QuestionnaireResponse in progress for the form, its prefill items answered from `lines`. */
export function prefilled(
  questionnaire: Questionnaire,
  patientId: string,
  lines: Record<Prefill, string[]>,
  author?: string,
): QuestionnaireResponse {
  const items: QuestionnaireResponseItem[] = [];
  const visit = (list: readonly QuestionnaireItem[] | undefined): void => {
    for (const item of list ?? []) {
      const from = item.extension?.find((e) => e.url === PREFILL_EXTENSION)?.valueCode as Prefill | undefined;
      const values = from ? lines[from] : [];
      if (values.length) {
        items.push({ linkId: item.linkId, text: item.text, answer: values.map((valueString) => ({ valueString })) });
      }
      visit(item.item);
    }
  };
  visit(questionnaire.item);
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'in-progress',
    questionnaire: `${questionnaire.url!}|${questionnaire.version!}`,
    subject: { reference: `Patient/${patientId}` },
    authored: new Date().toISOString(),
    ...(author ? { author: { reference: author } } : {}),
    item: items,
  };
}
