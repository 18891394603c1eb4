import type { Patient } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, TextInput } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useSession } from '../../../auth/session.ts';
import { ErrorMessage } from '../../../components/feedback.tsx';
import { londonDay } from '../../../lib/dates.ts';
import type { Protocol } from '../protocols/api.ts';
import { createPlan } from './api.ts';
import { enrolmentPlan, planProtocol } from './careplan.ts';
import { checkEnrolForm, type EnrolForm as Form } from './enrol-form.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { ProtocolRadios } from './ProtocolRadios.tsx';
import { dateParts } from './start-date.ts';
import { StartDateInput } from './StartDateInput.tsx';
import type { Errors } from './thresholds.ts';
import { ThresholdFields } from './ThresholdFields.tsx';

const AGREEMENT = 'The patient agrees to receive and send text messages about their health';

/** The enrolment form: protocol, best peak flow when needed, own thresholds, start date, agreement. */
export function EnrolForm({
  patient,
  protocols,
  enrolledOn,
  header,
  onEnrolled,
}: {
  patient: Patient;
  protocols: readonly Protocol[];
  /** The protocols the patient is already on (active or paused). */
  enrolledOn: readonly string[];
  /** Who and which number: shown under the error summary, which the NHS.UK pattern puts first. */
  header: ReactNode;
  onEnrolled: (enrolled: { carePlanId: string; protocolId: string }) => void;
}) {
  const session = useSession();
  const queryClient = useQueryClient();
  const summary = useRef<HTMLDivElement>(null);
  const [form, setForm] = useState<Form>(() => ({
    protocolId: '',
    agreed: false,
    firstNow: false,
    thresholds: {},
    bestPeakFlow: '',
    start: dateParts(londonDay(new Date())),
  }));
  const [errors, setErrors] = useState<Errors>({});
  const saving = useMutation({
    mutationFn: createPlan,
    onSuccess: (plan) => {
      void queryClient.invalidateQueries({ queryKey: ['telehealth', 'enrolments', patient.id!] });
      onEnrolled({ carePlanId: plan.id!, protocolId: planProtocol(plan)?.id ?? '' });
    },
  });
  const protocol = protocols.find((p) => p.id === form.protocolId);
  const change = (changes: Partial<Form>): void => setForm((current) => ({ ...current, ...changes }));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkEnrolForm(form, protocols, { enrolledOn });
    if ('errors' in checked) {
      setErrors(checked.errors);
      // The NHS.UK pattern: the summary takes focus, so screen readers read the problems at once.
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setErrors({});
    const { enrolment } = checked;
    saving.mutate(
      enrolmentPlan({
        patientId: patient.id!,
        ...(session?.kind === 'staff' && session.practitionerId ? { practitionerId: session.practitionerId } : {}),
        protocol: enrolment.protocol,
        agreedAt: new Date().toISOString(),
        start: enrolment.start,
        overrides: enrolment.overrides,
        ...(enrolment.bestPeakFlow !== undefined ? { bestPeakFlow: enrolment.bestPeakFlow } : {}),
        firstPromptNow: enrolment.firstPromptNow,
      }),
    );
  };

  return (
    <>
      <ErrorSummary errors={errors} ref={summary} />
      {saving.error && <ErrorMessage error={saving.error} title="The patient was not enrolled" />}
      {header}
      <form onSubmit={submit} noValidate>
        <ProtocolRadios
          protocols={protocols}
          value={form.protocolId}
          error={errors.protocol}
          // A new protocol has other measures: thresholds typed for the last one do not carry over.
          onChange={(protocolId) => change({ protocolId, thresholds: {} })}
        />
        {protocol?.needs.includes('personal-best-peak-flow') && (
          <TextInput
            id="best-peak-flow"
            label="The patient’s best peak flow (litres a minute)"
            hint="Their personal best, from their asthma action plan. Readings are judged as a percentage of it."
            inputMode="numeric"
            width={4}
            value={form.bestPeakFlow}
            onChange={(e) => change({ bestPeakFlow: e.target.value })}
            error={errors['best-peak-flow']}
          />
        )}
        {protocol && (
          <>
            <h2 className="nhsuk-heading-m">The patient’s own thresholds (optional)</h2>
            <p className="nhsuk-body">
              Set these only if the patient’s clinician has agreed different levels for them, for example a lower oxygen
              target for someone at risk of hypercapnia.
            </p>
            <ThresholdFields
              protocol={protocol}
              form={form.thresholds}
              errors={errors}
              onChange={(thresholds) => change({ thresholds })}
            />
          </>
        )}
        <StartDateInput value={form.start} error={errors['start-day']} onChange={(start) => change({ start })} />
        <Agreement checked={form.agreed} error={errors.agreement} onChange={(agreed) => change({ agreed })} />
        <FirstQuestionNow checked={form.firstNow} onChange={(firstNow) => change({ firstNow })} />
        <Button type="submit" disabled={saving.isPending}>
          Enrol patient
        </Button>
      </form>
    </>
  );
}

/** Optional: the first question now, so the nurse sees the patient's phone receive it and reply. */
function FirstQuestionNow({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="nhsuk-form-group">
      <div className="nhsuk-checkboxes">
        <div className="nhsuk-checkboxes__item">
          <input
            className="nhsuk-checkboxes__input"
            id="first-now"
            name="first-now"
            type="checkbox"
            aria-describedby="first-now-hint"
            checked={checked}
            onChange={(e) => onChange(e.target.checked)}
          />
          <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="first-now">
            Send the first question now
          </label>
          <div className="nhsuk-hint nhsuk-checkboxes__hint" id="first-now-hint">
            To check the patient’s phone receives it and they can reply while they are with you. Later questions come at
            the protocol’s times.
          </div>
        </div>
      </div>
    </div>
  );
}

/** The patient's agreement (required): recorded on the CarePlan with the time it was given. */
function Agreement({ checked, error, onChange }: { checked: boolean; error?: string; onChange: (v: boolean) => void }) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={`agreement-hint${error ? ' agreement-error' : ''}`}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
          <h2 className="nhsuk-fieldset__heading">The patient’s agreement</h2>
        </legend>
        <div className="nhsuk-hint" id="agreement-hint">
          Texts are sent to the mobile number above. Readings are recorded in the patient’s record and worrying ones
          alert the team. The patient can text STOP at any time.
        </div>
        {error && (
          <span className="nhsuk-error-message" id="agreement-error">
            <span className="nhsuk-u-visually-hidden">Error:</span> {error}
          </span>
        )}
        <div className="nhsuk-checkboxes">
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              id="agreement"
              name="agreement"
              type="checkbox"
              checked={checked}
              onChange={(e) => onChange(e.target.checked)}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="agreement">
              {AGREEMENT}
            </label>
          </div>
        </div>
      </fieldset>
    </div>
  );
}
