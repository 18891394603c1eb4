import type {
  Attachment,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
} from '@medplum/fhirtypes';
import type { Priority } from './api.ts';

/**
 * The referral form as the page edits it (docs/REFERRALS.md, "Forms"): the specialty's Questionnaire,
 * its answers as strings by linkId (a repeating text item one answer a line; yes/no as `yes`/`no`;
 * a choice its code) and attachments apart. The server validates again when the referral is sent
 * (H-203); these checks only spare the referrer a round trip.
 */
export interface FormAnswers {
  values: Record<string, string>;
  files: Record<string, Attachment[]>;
}

const MIME_TYPE = 'http://hl7.org/fhir/StructureDefinition/mimeType';
const MAX_SIZE = 'http://hl7.org/fhir/StructureDefinition/maxSize';

/** The id of the control a question is answered with (what the error summary links to). */
export function fieldId(item: QuestionnaireItem): string {
  if (item.type === 'boolean') {
    return `q-${item.linkId}-yes`;
  }
  if (item.type === 'choice') {
    return `q-${item.linkId}-${item.answerOption?.[0]?.valueCoding?.code ?? ''}`;
  }
  return `q-${item.linkId}`;
}

const questions = (form: Questionnaire): QuestionnaireItem[] =>
  (form.item ?? []).filter((i) => i.type !== 'group' && i.type !== 'display');

/** The answers `$populate` pre-filled (problems, medicines, results), as editable values. */
export function initialAnswers(form: Questionnaire, populated?: QuestionnaireResponse): FormAnswers {
  const values: Record<string, string> = {};
  const byLink = new Map((populated?.item ?? []).map((i) => [i.linkId, i]));
  for (const item of questions(form)) {
    const answers = byLink.get(item.linkId)?.answer ?? [];
    const texts = answers.map((a) =>
      a.valueBoolean !== undefined
        ? a.valueBoolean
          ? 'yes'
          : 'no'
        : (a.valueCoding?.code ?? a.valueString ?? a.valueDate ?? ''),
    );
    if (texts.length) {
      values[item.linkId] = texts.join('\n');
    }
  }
  return { values, files: {} };
}

const lower = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** What is wrong with an attachment for this item (its MIME types and size), or undefined. */
export function attachmentProblem(item: QuestionnaireItem, file: { type: string; size: number }): string | undefined {
  const types = (item.extension ?? []).filter((e) => e.url === MIME_TYPE).map((e) => e.valueCode!);
  const max = item.extension?.find((e) => e.url === MAX_SIZE)?.valueDecimal;
  if (types.length && !types.includes(file.type)) {
    return `The photograph must be ${types.map((t) => t.replace('image/', '').toUpperCase()).join(' or ')}`;
  }
  if (max !== undefined && file.size > max) {
    return `The photograph must be smaller than ${Math.round(max / 1_000_000)} MB`;
  }
  return undefined;
}

/**
 * Problems by field id: required questions unanswered, and a red flag answered yes on a referral
 * that is not a two-week wait (H-202: it must go as one, on the suspected cancer form).
 */
export function formProblems(form: Questionnaire, answers: FormAnswers, priority: Priority): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const item of questions(form)) {
    const value = answers.values[item.linkId]?.trim() ?? '';
    const text = item.text ?? item.linkId;
    if (item.type === 'attachment') {
      if (item.required && !(answers.files[item.linkId]?.length ?? 0)) {
        problems[fieldId(item)] = `Add ${lower(text)}`;
      }
      continue;
    }
    if (item.required && !value) {
      problems[fieldId(item)] =
        item.type === 'boolean' || item.type === 'choice' ? `Answer “${text}”` : `Enter ${lower(text)}`;
      continue;
    }
    if (item.linkId.startsWith('red-flag-') && value === 'yes' && priority !== 'two-week-wait') {
      problems[fieldId(item)] =
        'A red flag is answered yes: go back and choose two-week wait, which uses the suspected cancer form';
    }
  }
  return problems;
}

function answersOf(item: QuestionnaireItem, answers: FormAnswers): QuestionnaireResponseItem['answer'] {
  if (item.type === 'attachment') {
    return (answers.files[item.linkId] ?? []).map((valueAttachment) => ({ valueAttachment }));
  }
  const value = answers.values[item.linkId]?.trim() ?? '';
  if (!value) {
    return [];
  }
  switch (item.type) {
    case 'boolean':
      return [{ valueBoolean: value === 'yes' }];
    case 'choice': {
      const option = item.answerOption?.find((o) => o.valueCoding?.code === value);
      return option?.valueCoding ? [{ valueCoding: option.valueCoding }] : [];
    }
    case 'date':
      return [{ valueDate: value }];
    default:
      return item.repeats
        ? value
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean)
            .map((valueString) => ({ valueString }))
        : [{ valueString: value }];
  }
}

/** The completed QuestionnaireResponse to store (unanswered questions left out). */
export function toResponse(form: Questionnaire, patientId: string, answers: FormAnswers): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: `${form.url!}|${form.version!}`,
    subject: { reference: `Patient/${patientId}` },
    authored: new Date().toISOString(),
    item: questions(form)
      .map((item) => ({ linkId: item.linkId, text: item.text, answer: answersOf(item, answers) }))
      .filter((i) => i.answer?.length),
  };
}

/** The referral's reason (the draft needs one): the form's own reason, or the cancer criteria. */
export const reasonOf = (answers: FormAnswers): string =>
  (answers.values.reason ?? answers.values.criteria ?? '').trim();

/** An answer as words, for the referral page. */
export function answerText(answer: NonNullable<QuestionnaireResponseItem['answer']>[number]): string {
  if (answer.valueBoolean !== undefined) {
    return answer.valueBoolean ? 'Yes' : 'No';
  }
  if (answer.valueAttachment) {
    return answer.valueAttachment.title ?? `Photograph (${answer.valueAttachment.contentType ?? 'file'})`;
  }
  return answer.valueCoding?.display ?? answer.valueCoding?.code ?? answer.valueString ?? answer.valueDate ?? '';
}
