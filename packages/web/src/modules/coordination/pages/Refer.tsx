import { useMutation, useQuery } from '@tanstack/react-query';
import type { Patient } from '@medplum/fhirtypes';
import { useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { fhirGet } from '../../../api/client.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { refer } from '../api.ts';
import { Radios, TextArea } from '../fields.tsx';

const nameOf = (patient: Patient) =>
  [patient.name?.[0]?.given?.join(' '), patient.name?.[0]?.family].filter(Boolean).join(' ') || 'this patient';

/** Referral to the single point of access for care coordination, opened from the patient's record. */
export default function Refer() {
  const [params] = useSearchParams();
  const patientId = params.get('patient') ?? '';
  const patient = useQuery({
    queryKey: ['coordination', 'refer-patient', patientId],
    queryFn: ({ signal }) => fhirGet<Patient>(`Patient/${encodeURIComponent(patientId)}`, signal),
    enabled: !!patientId,
  });
  const [reason, setReason] = useState('');
  const [priority, setPriority] = useState<'routine' | 'urgent' | ''>('routine');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const summary = useRef<HTMLDivElement>(null);
  const send = useMutation({ mutationFn: refer });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (reason.trim().length < 10) {
      found.reason = 'Enter why you are referring, in at least 10 characters';
    }
    if (!priority) {
      found['priority-routine'] = 'Choose how urgent the referral is';
    }
    setProblems(found);
    if (Object.keys(found).length) {
      setTimeout(() => summary.current?.focus());
      return;
    }
    send.mutate({ patientId, reason: reason.trim(), priority: priority as 'routine' | 'urgent' });
  };
  if (!patientId) {
    return (
      <>
        <PageTitle caption="Care coordination">Refer to the single point of access</PageTitle>
        <p className="nhsuk-body">
          Open the patient’s record first (<a href="/find">find a patient</a>) and choose “Refer for care coordination”.
        </p>
      </>
    );
  }
  const name = patient.data ? nameOf(patient.data) : 'the patient';
  return (
    <>
      <PageTitle caption="Care coordination">Refer {name} for care coordination</PageTitle>
      {patient.status === 'pending' && <Loading what="the patient" />}
      {patient.status === 'error' && <ErrorMessage title="The patient could not be found" error={patient.error} />}
      {send.isSuccess ? (
        <Notice title="Referral sent">
          <p className="nhsuk-body">
            The single point of access will triage it; you will be told if it is not accepted.{' '}
            <a href={`/patients/${encodeURIComponent(patientId)}`}>Back to {name}’s record</a>
          </p>
        </Notice>
      ) : (
        patient.status === 'success' && (
          <form onSubmit={submit} noValidate>
            <ErrorSummary errors={problems} ref={summary} />
            {send.error && <ErrorMessage title="The referral was not sent" error={send.error} />}
            <TextArea
              id="reason"
              label="Why are you referring?"
              hint="What is happening and what help is needed. The care coordinator reads this first."
              error={problems.reason}
              value={reason}
              onChange={setReason}
              rows={5}
            />
            <Radios
              name="priority"
              label="How urgent is it?"
              error={problems['priority-routine']}
              value={priority}
              onChange={(v) => setPriority(v as 'routine' | 'urgent')}
              options={[
                { value: 'routine', label: 'Routine' },
                { value: 'urgent', label: 'Urgent' },
              ]}
            />
            <button type="submit" className="nhsuk-button" disabled={send.isPending}>
              Send referral
            </button>
          </form>
        )
      )}
    </>
  );
}
