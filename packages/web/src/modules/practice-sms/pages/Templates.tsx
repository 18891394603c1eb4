import { Button, Textarea } from 'nhsuk-react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ApiError, outcomeText } from '../../../api/errors.ts';
import {
  PRACTICE_SMS_KEY,
  previewTemplate,
  saveTemplate,
  templatesQuery,
  TEMPLATE_TITLES,
  type Template,
} from '../api.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { SectionNav } from '../Parts.tsx';

/** The practice's templates: each with its merge fields, an editor, a preview and its length in SMS parts. */
export default function Templates() {
  const templates = useQuery(templatesQuery);
  return (
    <>
      <PageTitle caption="Practice texts">Templates</PageTitle>
      <SectionNav current="templates" />
      <p className="nhsuk-body">
        Merge fields are written in double braces, such as {'{{firstName}}'}. Texts carry no clinical detail, except the
        “results normal” text, sent only to patients who agreed to clinical texts.
      </p>
      {templates.status === 'pending' && <Loading what="templates" />}
      {templates.status === 'error' && (
        <ErrorMessage error={templates.error} onRetry={() => void templates.refetch()} />
      )}
      {templates.data?.templates.map((template) => (
        <TemplateEditor key={template.kind} template={template} />
      ))}
    </>
  );
}

function TemplateEditor({ template }: { template: Template }) {
  const queryClient = useQueryClient();
  const [body, setBody] = useState(template.body);
  const [error, setError] = useState<string>();
  const summary = useRef<HTMLDivElement>(null);
  const id = `template-${template.kind}`;
  const refused = (e: Error): void => {
    setError(e instanceof ApiError && e.status === 400 ? outcomeText(e.outcome) || e.message : undefined);
    requestAnimationFrame(() => summary.current?.focus());
  };
  const preview = useMutation({
    mutationFn: () => previewTemplate(template.kind, body),
    onError: refused,
    onSuccess: () => setError(undefined),
  });
  const save = useMutation({
    mutationFn: () => saveTemplate(template.kind, body),
    onError: refused,
    onSuccess: () => {
      setError(undefined);
      return queryClient.invalidateQueries({ queryKey: PRACTICE_SMS_KEY });
    },
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setError(undefined);
    save.mutate();
  };
  return (
    <section className="nhsuk-card" aria-labelledby={`${id}-heading`}>
      <div className="nhsuk-card__content">
        <ErrorSummary errors={{ [id]: error }} ref={summary} />
        <h2 className="nhsuk-heading-m" id={`${id}-heading`}>
          {TEMPLATE_TITLES[template.kind] ?? template.kind}
        </h2>
        <form onSubmit={submit} noValidate>
          <Textarea
            id={id}
            label="Text"
            hint={`Merge fields: ${template.fields.map((f) => `{{${f}}}`).join(', ')}`}
            rows={4}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            error={error}
          />
          <div className="nhsuk-button-group">
            <Button type="submit" disabled={save.isPending}>
              Save template
            </Button>
            <Button type="button" secondary onClick={() => preview.mutate()} disabled={preview.isPending}>
              Preview
            </Button>
          </div>
        </form>
        {save.error && !error && <ErrorMessage error={save.error} title="The template was not saved" />}
        <div aria-live="polite">
          {preview.data && (
            <div className="nhsuk-inset-text">
              <span className="nhsuk-u-visually-hidden">Preview: </span>
              <p>{preview.data.text}</p>
              <p className="nhsuk-body-s">
                {preview.data.characters} characters,{' '}
                {preview.data.parts === 1 ? '1 text message' : `${preview.data.parts} text messages`} (
                {preview.data.encoding})
              </p>
            </div>
          )}
          {save.isSuccess && <Notice title="Template saved" />}
        </div>
      </div>
    </section>
  );
}
