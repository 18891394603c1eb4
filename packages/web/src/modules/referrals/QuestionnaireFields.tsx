import type { Attachment, Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import { useState } from 'react';
import { FieldError, Radios, TextArea, TextInput } from './fields.tsx';
import { attachmentProblem, fieldId, type FormAnswers } from './form-model.ts';

const PREFILL = 'https://careweave.example/fhir/StructureDefinition/referral-prefill';

/** Reads a chosen file as a FHIR Attachment (base64 data), the form's answer to a photograph item. */
function readAttachment(file: File): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      resolve({
        contentType: file.type,
        title: file.name,
        size: file.size,
        data: (typeof reader.result === 'string' ? reader.result : '').split(',')[1] ?? '',
      });
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

interface Props {
  form: Questionnaire;
  answers: FormAnswers;
  problems: Record<string, string>;
  onChange: (answers: FormAnswers) => void;
}

/** The specialty's Questionnaire as NHS.UK fields; pre-filled items say where they came from. */
export function QuestionnaireFields({ form, answers, problems, onChange }: Props) {
  const setValue = (linkId: string, value: string) =>
    onChange({ ...answers, values: { ...answers.values, [linkId]: value } });
  return (
    <>
      {(form.item ?? []).map((item) => (
        <Question
          key={item.linkId}
          item={item}
          answers={answers}
          error={problems[fieldId(item)]}
          onValue={(value) => setValue(item.linkId, value)}
          onFiles={(files) => onChange({ ...answers, files: { ...answers.files, [item.linkId]: files } })}
        />
      ))}
    </>
  );
}

function Question({
  item,
  answers,
  error,
  onValue,
  onFiles,
}: {
  item: QuestionnaireItem;
  answers: FormAnswers;
  error: string | undefined;
  onValue: (value: string) => void;
  onFiles: (files: Attachment[]) => void;
}) {
  const id = fieldId(item);
  const value = answers.values[item.linkId] ?? '';
  const label = `${item.text ?? item.linkId}${item.required ? '' : ' (optional)'}`;
  const prefilled = item.extension?.some((e) => e.url === PREFILL);
  switch (item.type) {
    case 'boolean':
      return (
        <Radios
          name={`q-${item.linkId}`}
          label={label}
          error={error}
          value={value}
          onChange={onValue}
          inline
          options={[
            { value: 'yes', label: 'Yes' },
            { value: 'no', label: 'No' },
          ]}
        />
      );
    case 'choice':
      return (
        <Radios
          name={`q-${item.linkId}`}
          label={label}
          error={error}
          value={value}
          onChange={onValue}
          options={(item.answerOption ?? []).map((o) => ({
            value: o.valueCoding?.code ?? '',
            label: o.valueCoding?.display ?? o.valueCoding?.code ?? '',
          }))}
        />
      );
    case 'date':
      return <TextInput id={id} type="date" label={label} error={error} value={value} onChange={onValue} />;
    case 'attachment':
      return (
        <Photos
          item={item}
          id={id}
          label={label}
          error={error}
          files={answers.files[item.linkId] ?? []}
          onFiles={onFiles}
        />
      );
    default:
      return (
        <TextArea
          id={id}
          label={label}
          hint={
            prefilled
              ? 'Filled in from the record as you may see it: check it, and add or remove lines (one a line).'
              : undefined
          }
          error={error}
          value={value}
          onChange={onValue}
          rows={prefilled ? 4 : 3}
        />
      );
  }
}

function Photos({
  item,
  id,
  label,
  error,
  files,
  onFiles,
}: {
  item: QuestionnaireItem;
  id: string;
  label: string;
  error: string | undefined;
  files: Attachment[];
  onFiles: (files: Attachment[]) => void;
}) {
  const [problem, setProblem] = useState<string | undefined>();
  const shown = error ?? problem;
  const add = async (chosen: FileList | null) => {
    const list = [...(chosen ?? [])];
    const bad = list.map((f) => attachmentProblem(item, f)).find(Boolean);
    setProblem(bad);
    if (bad) {
      return;
    }
    try {
      onFiles([...files, ...(await Promise.all(list.map(readAttachment)))]);
    } catch (failure) {
      setProblem((failure as Error).message);
    }
  };
  return (
    <div className={`nhsuk-form-group${shown ? ' nhsuk-form-group--error' : ''}`}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      <FieldError id={id} error={shown} />
      <input
        className="nhsuk-input"
        type="file"
        id={id}
        name={id}
        multiple
        accept="image/jpeg,image/png"
        aria-describedby={shown ? `${id}-error` : undefined}
        onChange={(e) => void add(e.target.files)}
      />
      {files.length > 0 && (
        <ul className="nhsuk-list nhsuk-u-margin-top-2">
          {files.map((file, index) => (
            <li key={`${file.title ?? ''}-${index}`}>
              {file.title ?? 'Photograph'}{' '}
              <button
                type="button"
                className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
                onClick={() => onFiles(files.filter((_f, i) => i !== index))}
              >
                Remove<span className="nhsuk-u-visually-hidden"> {file.title ?? 'photograph'}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
