import type { ComponentProps } from 'react';
import { formatDateTime } from '../../lib/dates.ts';
import { FieldGroup, Radios as SharedRadios, TextArea as SharedTextArea } from '../../components/fields.tsx';
import { toAttachment, type AdviceSummary, type NewAttachment } from './api.ts';

/** Advice and guidance's forms use the shared NHS.UK fields (components/fields.tsx). */
export { Select, TextInput } from '../../components/fields.tsx';

/** Messages are longer than most answers: four rows to start. */
export function TextArea(props: ComponentProps<typeof SharedTextArea>) {
  return <SharedTextArea rows={4} {...props} />;
}

/** Radios with a legend (the question). */
export function Radios({ legend, ...props }: Omit<ComponentProps<typeof SharedRadios>, 'label'> & { legend: string }) {
  return <SharedRadios label={legend} {...props} />;
}

/** Files to attach: PDF, JPEG or PNG up to 2 MB each (checked here for a quick answer, and by the server). */
export function FilesInput({
  id,
  files,
  onChange,
  error,
  onError,
}: {
  id: string;
  files: NewAttachment[];
  onChange: (files: NewAttachment[]) => void;
  error?: string | undefined;
  onError: (message: string | undefined) => void;
}) {
  const choose = async (list: FileList | null) => {
    const chosen = await Promise.all([...(list ?? [])].map(toAttachment));
    const problem = chosen.find((c): c is string => typeof c === 'string');
    onError(problem);
    onChange(problem ? [] : (chosen as NewAttachment[]));
  };
  return (
    <FieldGroup
      id={id}
      label="Attach files (optional)"
      hint="PDF, JPEG or PNG, up to 2 MB each, at most 5"
      error={error}
    >
      <input
        className={`nhsuk-input nhsuk-u-padding-1${error ? ' nhsuk-input--error' : ''}`}
        id={id}
        name={id}
        type="file"
        multiple
        accept="application/pdf,image/jpeg,image/png"
        aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
        onChange={(e) => void choose(e.target.files)}
      />
      {files.length > 0 && (
        <p className="nhsuk-body-s nhsuk-u-margin-top-2">Attached: {files.map((f) => f.title).join(', ')}</p>
      )}
    </FieldGroup>
  );
}

/** Status as a tag with words (never colour alone), and when the answer is due. */
export function StatusTag({ item }: { item: Pick<AdviceSummary, 'status' | 'statusText' | 'overdue'> }) {
  const colour =
    item.overdue || item.status === 'conversion-proposed'
      ? 'red'
      : item.status === 'closed'
        ? 'grey'
        : item.status === 'advice-given'
          ? 'green'
          : item.status === 'information-requested'
            ? 'yellow'
            : 'blue';
  return (
    <strong className={`nhsuk-tag nhsuk-tag--${colour}`}>
      {item.overdue ? `Overdue: ${item.statusText.toLowerCase()}` : item.statusText}
    </strong>
  );
}

export function dueText(item: Pick<AdviceSummary, 'dueAt' | 'status' | 'overdue'>): string {
  if (item.status === 'closed' || !item.dueAt) {
    return '—';
  }
  return item.status === 'awaiting-advice'
    ? `${item.overdue ? 'Was due' : 'Due'} ${formatDateTime(item.dueAt)}`
    : 'With the practice';
}
