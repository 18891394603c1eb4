/**
 * Checks a referral form's answers (`QuestionnaireResponse`) against its `Questionnaire`: required
 * items answered, answers of the item's type, choices from the options, attachments of the declared
 * MIME types and size, no answers to questions the form does not ask (H-203). Pure: no I/O.
 */
import type {
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
} from '@medplum/fhirtypes';
import { MAX_SIZE_EXTENSION, MIME_TYPE_EXTENSION } from './questionnaires.ts';

export interface FormProblem {
  linkId: string;
  message: string;
}

const VALUE_OF: Partial<Record<NonNullable<QuestionnaireItem['type']>, keyof QuestionnaireResponseItemAnswer>> = {
  boolean: 'valueBoolean',
  string: 'valueString',
  text: 'valueString',
  date: 'valueDate',
  dateTime: 'valueDateTime',
  integer: 'valueInteger',
  decimal: 'valueDecimal',
  choice: 'valueCoding',
  attachment: 'valueAttachment',
};

const flat = (items: readonly QuestionnaireItem[] | undefined): QuestionnaireItem[] =>
  (items ?? []).flatMap((item) => [item, ...flat(item.item)]);
const flatAnswers = (items: readonly QuestionnaireResponseItem[] | undefined): QuestionnaireResponseItem[] =>
  (items ?? []).flatMap((item) => [item, ...flatAnswers(item.item)]);

/** Whether the answer to the item says something (an empty string or attachment does not). */
function answered(answer: QuestionnaireResponseItemAnswer, key: keyof QuestionnaireResponseItemAnswer): boolean {
  const value = answer[key];
  if (value === undefined || value === null) {
    return false;
  }
  return typeof value === 'string' ? value.trim().length > 0 : true;
}

function attachmentProblem(item: QuestionnaireItem, answer: QuestionnaireResponseItemAnswer): string | undefined {
  const attachment = answer.valueAttachment;
  if (!attachment) {
    return undefined;
  }
  const allowed = (item.extension ?? []).filter((e) => e.url === MIME_TYPE_EXTENSION).map((e) => e.valueCode);
  if (allowed.length && !allowed.includes(attachment.contentType)) {
    return `must be ${allowed.join(' or ')} (was ${attachment.contentType ?? 'not given'})`;
  }
  if (!attachment.data && !attachment.url) {
    return 'an attachment needs its data or a url';
  }
  const max = item.extension?.find((e) => e.url === MAX_SIZE_EXTENSION)?.valueDecimal;
  const size = attachment.size ?? (attachment.data ? Math.floor((attachment.data.length * 3) / 4) : 0);
  if (max !== undefined && size > max) {
    return `is larger than ${max} bytes`;
  }
  return undefined;
}

/** What is wrong with `response` as an answer to `questionnaire` (empty: nothing). */
export function validateResponse(questionnaire: Questionnaire, response: QuestionnaireResponse): FormProblem[] {
  const problems: FormProblem[] = [];
  const items = new Map(flat(questionnaire.item).map((item) => [item.linkId, item]));
  const given = flatAnswers(response.item);
  for (const answer of given) {
    const item = items.get(answer.linkId);
    if (!item) {
      problems.push({ linkId: answer.linkId, message: 'is not a question on this form' });
      continue;
    }
    const key = item.type ? VALUE_OF[item.type] : undefined;
    const answers = answer.answer ?? [];
    if (answers.length > 1 && !item.repeats) {
      problems.push({ linkId: item.linkId, message: 'takes one answer' });
    }
    for (const a of answers) {
      const keys = Object.keys(a).filter((k) => k.startsWith('value'));
      if (key && keys.some((k) => k !== key)) {
        problems.push({ linkId: item.linkId, message: `needs a ${item.type} answer` });
        continue;
      }
      if (item.type === 'choice' && item.answerOption?.length) {
        const codes = item.answerOption.map((o) => o.valueCoding?.code);
        if (!codes.includes(a.valueCoding?.code)) {
          problems.push({ linkId: item.linkId, message: `must be one of ${codes.join(', ')}` });
        }
      }
      const attachment = attachmentProblem(item, a);
      if (attachment) {
        problems.push({ linkId: item.linkId, message: attachment });
      }
    }
  }
  for (const item of items.values()) {
    if (!item.required || item.type === 'group' || item.type === 'display') {
      continue;
    }
    const key = VALUE_OF[item.type];
    const answers = given.filter((g) => g.linkId === item.linkId).flatMap((g) => g.answer ?? []);
    if (!key || !answers.some((a) => answered(a, key))) {
      problems.push({ linkId: item.linkId, message: 'is required' });
    }
  }
  return problems;
}

/** The red flags answered yes (`red-flag-*` boolean items): each makes the referral a two-week wait. */
export function redFlagsRaised(response: QuestionnaireResponse): string[] {
  return flatAnswers(response.item)
    .filter((item) => item.linkId.startsWith('red-flag-') && item.answer?.some((a) => a.valueBoolean === true))
    .map((item) => item.linkId);
}
