import type { Observation } from '@medplum/fhirtypes';
import { useMutation } from '@tanstack/react-query';
import { Button, Textarea } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorMessage } from '../../../components/feedback.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { conceptText } from '../../../lib/fhir-display.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { tryReply, type Preview as Result, type Protocol } from './api.ts';
import { LEVEL_NAME, LEVEL_TAG } from './describe.ts';

/**
 * The preview: choose a prompt, type a reply as a patient might, and see what CareWeave would record,
 * the level, whether the team would be alerted and the reply the patient would get
 * (`PlanDefinition/$try-reply`; nothing is stored). Readings are judged on their own: trend rules need
 * earlier readings, so they never fire here.
 */
export function Preview({ protocol }: { protocol: Protocol }) {
  const [promptId, setPromptId] = useState(protocol.prompts[0]!.id);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const summary = useRef<HTMLDivElement>(null);
  const preview = useMutation({ mutationFn: (reply: string) => tryReply(protocol, promptId, reply) });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!text.trim()) {
      setErrors({ 'preview-text': 'Enter a reply to preview' });
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setErrors({});
    preview.mutate(text);
  };
  return (
    <section aria-labelledby="preview-heading">
      <h2 className="nhsuk-heading-m" id="preview-heading">
        Preview a reply
      </h2>
      <p className="nhsuk-body">
        Type a reply as a patient might send it, to see what would be recorded and answered. Nothing is stored or sent.
        Each reply is judged on its own, so rules about changes over days do not apply here.
      </p>
      <ErrorSummary errors={errors} ref={summary} />
      <form onSubmit={submit} noValidate>
        {protocol.prompts.length > 1 && (
          <PromptRadios protocol={protocol} value={promptId} onChange={(id) => setPromptId(id)} />
        )}
        <Textarea
          id="preview-text"
          name="preview-text"
          label="The patient’s reply"
          hint={`Answering: “${protocol.prompts.find((p) => p.id === promptId)!.text}”`}
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={errors['preview-text']}
        />
        <Button type="submit" secondary disabled={preview.isPending}>
          Preview
        </Button>
      </form>
      {preview.error && <ErrorMessage error={preview.error} title="The reply could not be previewed" />}
      <div aria-live="polite">{preview.data && <PreviewResult result={preview.data} />}</div>
    </section>
  );
}

function PromptRadios({
  protocol,
  value,
  onChange,
}: {
  protocol: Protocol;
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <div className="nhsuk-form-group">
      <fieldset className="nhsuk-fieldset">
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
          Which text is the patient answering?
        </legend>
        <div className="nhsuk-radios">
          {protocol.prompts.map((prompt) => (
            <div className="nhsuk-radios__item" key={prompt.id}>
              <input
                className="nhsuk-radios__input"
                id={`preview-prompt-${prompt.id}`}
                name="preview-prompt"
                type="radio"
                checked={value === prompt.id}
                onChange={() => onChange(prompt.id)}
              />
              <label className="nhsuk-label nhsuk-radios__label" htmlFor={`preview-prompt-${prompt.id}`}>
                {prompt.text}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

/** The values of a reading's Observation: one, or the components of a blood pressure. */
function values(observation: Observation): { name: string; code: string; value: string }[] {
  const code = observation.code.coding?.[0]?.code ?? '';
  if (observation.component?.length) {
    return observation.component.map((c) => ({
      name: conceptText(c.code),
      code: c.code.coding?.[0]?.code ?? '',
      value: `${c.valueQuantity?.value ?? ''} ${c.valueQuantity?.unit ?? ''}`.trim(),
    }));
  }
  const value =
    observation.valueQuantity !== undefined
      ? `${observation.valueQuantity.value ?? ''} ${observation.valueQuantity.unit ?? ''}`.trim()
      : observation.valueBoolean !== undefined
        ? observation.valueBoolean
          ? 'Yes'
          : 'No'
        : String(observation.valueInteger ?? '');
  return [{ name: conceptText(observation.code), code, value }];
}

function PreviewResult({ result }: { result: Result }) {
  const rows = result.readings.flatMap(values);
  return (
    <div className="nhsuk-card">
      <div className="nhsuk-card__content">
        <h3 className="nhsuk-card__heading">What would happen</h3>
        {rows.length > 0 ? (
          <ResponsiveTable
            caption="Readings it would record"
            columns={[
              { key: 'name', header: 'Reading', rowHeader: true, cell: (r) => r.name },
              { key: 'code', header: 'Code (LOINC)', cell: (r) => r.code },
              { key: 'value', header: 'Value', cell: (r) => r.value },
            ]}
            rows={rows}
            rowKey={(r, i) => `${r.code}-${i}`}
          />
        ) : (
          <p className="nhsuk-body">No readings would be recorded.</p>
        )}
        <dl className="nhsuk-summary-list">
          {result.command && <SummaryRow term="Command">{result.command.toUpperCase()}</SummaryRow>}
          {result.level && (
            <SummaryRow term="Level">
              <strong className={`nhsuk-tag ${LEVEL_TAG[result.level]}`}>{LEVEL_NAME[result.level]}</strong>
              {result.reasons.length > 0 && (
                <ul className="nhsuk-list nhsuk-list--bullet nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">
                  {result.reasons.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              )}
            </SummaryRow>
          )}
          {result.escalate !== undefined && (
            <SummaryRow term="Team alerted">{result.escalate ? 'Yes' : 'No'}</SummaryRow>
          )}
          {result.askAgain && <SummaryRow term="Asks again">Yes: the reply could not all be used</SummaryRow>}
          <SummaryRow term="Reply to the patient">{result.reply}</SummaryRow>
        </dl>
      </div>
    </div>
  );
}

function SummaryRow({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{term}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}
