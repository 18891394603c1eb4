import { TextInput } from 'nhsuk-react-components';
import type { Protocol, RuleMeasure } from '../protocols/api.ts';
import { describeCondition, LEVEL_NAME, MEASURES } from '../protocols/describe.ts';
import { adjustableRules, type Errors, type ThresholdForm } from './thresholds.ts';

/**
 * The patient's own thresholds: a fieldset for each measure the protocol's rules test, a box for each
 * rule. Empty boxes keep the protocol's value (said in the hint).
 */
export function ThresholdFields({
  protocol,
  form,
  errors,
  onChange,
}: {
  protocol: Pick<Protocol, 'levels'>;
  form: ThresholdForm;
  errors: Errors;
  onChange: (form: ThresholdForm) => void;
}) {
  const rules = adjustableRules(protocol);
  const measures = [...new Set(rules.map((r) => r.rule.measure))];
  if (!measures.length) {
    return <p className="nhsuk-body">This protocol has no thresholds to set: its questions are answered yes or no.</p>;
  }
  return (
    <>
      {measures.map((measure: RuleMeasure) => (
        <fieldset className="nhsuk-fieldset" key={measure} aria-describedby={`${measure}-hint`}>
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
            {MEASURES[measure].label}
            {MEASURES[measure].unit ? ` (${MEASURES[measure].unit})` : ''}
          </legend>
          <div className="nhsuk-hint" id={`${measure}-hint`}>
            Leave a box empty to use the protocol’s threshold.
          </div>
          {rules
            .filter(({ rule }) => rule.measure === measure)
            .map(({ id, rule }) => (
              <TextInput
                key={id}
                id={id}
                name={id}
                label={`${LEVEL_NAME[rule.level]} if ${rule.below !== undefined ? 'below' : rule.atLeast !== undefined ? 'at or above' : 'exactly'}`}
                hint={`The protocol’s: ${describeCondition(rule).toLowerCase()}`}
                inputMode="decimal"
                width={4}
                autoComplete="off"
                value={form[id] ?? ''}
                onChange={(e) => onChange({ ...form, [id]: e.target.value })}
                error={errors[id]}
              />
            ))}
        </fieldset>
      ))}
    </>
  );
}
