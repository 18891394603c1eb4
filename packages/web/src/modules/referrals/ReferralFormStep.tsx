import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorSummary } from '../../components/ErrorSummary.tsx';
import { ErrorMessage, Loading } from '../../components/feedback.tsx';
import { QueryStatus } from '../../components/QueryStatus.tsx';
import { draftReferral, formQuery, idOf, pathwaysQuery, populateQuery, saveForm, type Priority } from './api.ts';
import { Radios, TextArea } from './fields.tsx';
import { formProblems, initialAnswers, reasonOf, toResponse, type FormAnswers } from './form-model.ts';
import { PathwayPanel } from './PathwayPanel.tsx';
import { QuestionnaireFields } from './QuestionnaireFields.tsx';
import { formIdFor, PRIORITY_NAMES, specialtyName } from './vocabulary.ts';

const NO_FORM: FormAnswers = { values: {}, files: {} };

interface Props {
  patientId: string;
  specialty: string;
  priority: Priority;
  onChange: () => void;
}

/**
 * The local pathway and the referral form, pre-filled from the record by `$populate`; on continue
 * the answers are stored (QuestionnaireResponse) and the draft referral made, then services offered.
 */
export function ReferralFormStep({ patientId, specialty, priority, onChange }: Props) {
  const navigate = useNavigate();
  const formId = formIdFor(specialty, priority);
  const pathways = useQuery(pathwaysQuery(specialty));
  const form = useQuery({ ...formQuery(formId ?? ''), enabled: !!formId });
  const populated = useQuery({ ...populateQuery(formId ?? '', patientId), enabled: !!formId });
  const [edited, setAnswers] = useState<FormAnswers | undefined>();
  // Until the referrer edits, the answers are what `$populate` pre-filled (none for a specialty without a form).
  const answers =
    edited ??
    (!formId
      ? NO_FORM
      : form.data && populated.status !== 'pending'
        ? initialAnswers(form.data, populated.data)
        : undefined);
  const [pathway, setPathway] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const summary = useRef<HTMLDivElement>(null);
  const list = pathways.data?.pathways ?? [];
  const pathwayId = list.length === 1 ? list[0]!.id : pathway;
  const save = useMutation({
    mutationFn: async (current: FormAnswers) => {
      const response = form.data ? await saveForm(toResponse(form.data, patientId, current)) : undefined;
      return draftReferral({
        patientId,
        specialty,
        priority,
        reason: reasonOf(current),
        ...(response?.id ? { form: response.id } : {}),
        ...(pathwayId ? { pathway: pathwayId } : {}),
      });
    },
    onSuccess: (draft) => void navigate(`/referrals/${idOf(draft.serviceRequest)}/services`),
  });
  const submit = () => {
    if (!answers) {
      return;
    }
    const found = form.data ? formProblems(form.data, answers, priority) : {};
    // The draft needs a reason of 10 characters: the form's reason, or the two-week wait's criteria.
    const reasonField = !form.data || form.data.item?.some((i) => i.linkId === 'reason') ? 'q-reason' : 'q-criteria';
    if (reasonOf(answers).length < 10 && !found[reasonField]) {
      found[reasonField] = 'Say why you are referring, in at least 10 characters';
    }
    setProblems(found);
    if (Object.keys(found).length) {
      setTimeout(() => summary.current?.focus());
      return;
    }
    save.mutate(answers);
  };
  return (
    <>
      <p className="nhsuk-body">
        {specialtyName(specialty)} · {PRIORITY_NAMES[priority]}{' '}
        <button type="button" className="nhsuk-button nhsuk-button--secondary nhsuk-button--small" onClick={onChange}>
          Change specialty or urgency
        </button>
      </p>
      <QueryStatus query={pathways} what="the local pathway" errorTitle="The local pathway could not be loaded" />
      {pathways.status === 'success' && list.length === 0 && (
        <p className="nhsuk-inset-text">There is no local pathway for {specialtyName(specialty)} yet.</p>
      )}
      {list.map((p) => (
        <PathwayPanel key={p.id} pathway={p} />
      ))}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <h2 className="nhsuk-heading-m">{form.data?.title ?? 'Referral details'}</h2>
        <ErrorSummary errors={problems} ref={summary} />
        {save.error && <ErrorMessage title="The referral was not saved" error={save.error} />}
        {list.length > 1 && (
          <Radios
            name="pathway"
            label="Which pathway are you following? (optional)"
            value={pathway}
            onChange={setPathway}
            options={list.map((p) => ({ value: p.id, label: p.title }))}
          />
        )}
        {formId && (
          <QueryStatus query={form} what="the referral form" errorTitle="The referral form could not be loaded" />
        )}
        {formId && populated.status === 'error' && (
          <ErrorMessage title="The form could not be filled in from the record" error={populated.error} />
        )}
        {formId && !answers && form.status === 'success' && <Loading what="answers from the record" />}
        {answers && form.data && (
          <QuestionnaireFields form={form.data} answers={answers} problems={problems} onChange={setAnswers} />
        )}
        {answers && !formId && (
          <TextArea
            id="q-reason"
            label="Reason for referral and what you are asking for"
            error={problems['q-reason']}
            value={answers.values.reason ?? ''}
            onChange={(reason) => setAnswers({ ...answers, values: { ...answers.values, reason } })}
            rows={5}
          />
        )}
        <button type="submit" className="nhsuk-button" disabled={!answers || save.isPending}>
          Save and choose a service
        </button>
      </form>
    </>
  );
}
