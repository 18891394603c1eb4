import type { CarePlan } from '@medplum/fhirtypes';
import { Button } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent } from 'react';
import type { Protocol } from '../protocols/api.ts';
import { planThresholds, withThresholds } from './careplan.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { checkThresholds, overridesFrom, thresholdForm, type Errors } from './thresholds.ts';
import { ThresholdFields } from './ThresholdFields.tsx';

/** Changes the patient's own thresholds on the plan (the protocol's apply where a box is empty). */
export function ThresholdEditor({
  plan,
  protocol,
  busy,
  onInvalid,
  onSave,
}: {
  plan: CarePlan;
  protocol: Protocol;
  busy: boolean;
  /** The form was refused: its error summary is now what the nurse should read. */
  onInvalid: () => void;
  onSave: (plan: CarePlan) => void;
}) {
  const [form, setForm] = useState(() => thresholdForm(protocol, planThresholds(plan)));
  const [errors, setErrors] = useState<Errors>({});
  const summary = useRef<HTMLDivElement>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problems = checkThresholds(protocol, form);
    setErrors(problems);
    if (Object.keys(problems).length) {
      onInvalid();
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    onSave(withThresholds(plan, overridesFrom(protocol, form)));
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="thresholds-heading">
      <h2 className="nhsuk-heading-m" id="thresholds-heading">
        The patient’s own thresholds
      </h2>
      <ErrorSummary errors={errors} ref={summary} />
      <ThresholdFields protocol={protocol} form={form} errors={errors} onChange={setForm} />
      <Button type="submit" secondary disabled={busy}>
        Save thresholds
      </Button>
    </form>
  );
}
