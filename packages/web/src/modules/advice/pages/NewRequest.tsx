import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { Patient } from '@medplum/fhirtypes';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { checkNhsNumber, formatNhsNumber } from '../../../lib/nhs-number.ts';
import {
  ADVICE_KEY,
  findByNhsNumber,
  patientQuery,
  requestAdvice,
  servicesQuery,
  taskId,
  type NewAttachment,
} from '../api.ts';
import { FilesInput, Radios, Select, TextArea, TextInput } from '../fields.tsx';

const nameOf = (patient: Patient | undefined) =>
  patient?.name?.[0] ? [patient.name[0].given?.join(' '), patient.name[0].family].filter(Boolean).join(' ') : '';

/**
 * A GP asks a specialist service a question about a patient: opened from the patient's record
 * (`?patient={id}`) or by NHS number. A suspected cancer is a two-week-wait referral, not a question
 * (H-234), so only routine and urgent are offered.
 */
export default function NewRequest() {
  const [params] = useSearchParams();
  const [patientId, setPatientId] = useState(params.get('patient') ?? '');
  const patient = useQuery(patientQuery(patientId));
  return (
    <>
      <PageTitle caption="Advice and guidance">Ask a specialist for advice</PageTitle>
      {!patientId ? (
        <FindPatient onFound={setPatientId} />
      ) : patient.status === 'pending' ? (
        <Loading what="the patient" />
      ) : patient.status === 'error' ? (
        <ErrorMessage title="The patient could not be found" error={patient.error} />
      ) : (
        <AskForm patient={patient.data} onChangePatient={() => setPatientId('')} />
      )}
    </>
  );
}

function FindPatient({ onFound }: { onFound: (id: string) => void }) {
  const [nhsNumber, setNhsNumber] = useState('');
  const [error, setError] = useState<string | undefined>();
  const find = useMutation({
    mutationFn: (value: string) => findByNhsNumber(value),
    onSuccess: (found) => (found?.id ? onFound(found.id) : setError('No patient you may see has that NHS number')),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkNhsNumber(nhsNumber);
    if (!checked.valid) {
      setError(checked.error);
      return;
    }
    setError(undefined);
    find.mutate(checked.value);
  };
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={{ 'nhs-number': error }} focusOnShow />
      {find.error && <ErrorMessage title="The patient could not be looked up" error={find.error} />}
      <TextInput
        id="nhs-number"
        label="Patient’s NHS number"
        hint="For example, 485 777 3456"
        width="10"
        value={nhsNumber}
        onChange={setNhsNumber}
        error={error}
      />
      <button type="submit" className="nhsuk-button" disabled={find.isPending}>
        Find the patient
      </button>
    </form>
  );
}

function AskForm({ patient, onChangePatient }: { patient: Patient; onChangePatient: () => void }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const services = useQuery(servicesQuery);
  const [serviceId, setServiceId] = useState('');
  const [priority, setPriority] = useState('routine');
  const [question, setQuestion] = useState('');
  const [files, setFiles] = useState<NewAttachment[]>([]);
  const [problems, setProblems] = useState<Record<string, string | undefined>>({});
  const summary = useRef<HTMLDivElement>(null);
  const ask = useMutation({
    mutationFn: () =>
      requestAdvice({
        patientId: patient.id!,
        serviceId,
        priority: priority === 'urgent' ? 'urgent' : 'routine',
        question: question.trim(),
        attachments: files,
      }),
    onSuccess: async (thread) => {
      await queryClient.invalidateQueries({ queryKey: ADVICE_KEY });
      await navigate(`/advice/${taskId(thread.task)}?sent=1`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string | undefined> = {
      service: serviceId ? undefined : 'Choose the service to ask',
      question: question.trim().length >= 10 ? undefined : 'Write your question, in at least 10 characters',
      files: problems.files,
    };
    setProblems(found);
    if (Object.values(found).some(Boolean)) {
      summary.current?.focus();
      return;
    }
    ask.mutate();
  };
  const nhsNumber = patient.identifier?.find((i) => i.system === 'https://fhir.nhs.uk/Id/nhs-number')?.value;
  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={problems} ref={summary} />
      {ask.error && <ErrorMessage title="Your question was not sent" error={ask.error} />}
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Patient</dt>
          <dd className="nhsuk-summary-list__value">
            {nameOf(patient) || 'Patient'}
            {nhsNumber && (
              <span className="nhsuk-u-display-block cw-nhs-number">NHS number {formatNhsNumber(nhsNumber)}</span>
            )}
          </dd>
          <dd className="nhsuk-summary-list__actions">
            <button
              type="button"
              className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
              onClick={onChangePatient}
            >
              Change<span className="nhsuk-u-visually-hidden"> patient</span>
            </button>
          </dd>
        </div>
      </dl>
      {services.status === 'error' && <ErrorMessage title="The services could not be loaded" error={services.error} />}
      <Select
        id="service"
        label="Service to ask"
        hint="A specialist service from the directory"
        value={serviceId}
        onChange={setServiceId}
        error={problems.service}
        options={(services.data ?? []).map((s) => ({
          value: s.id!,
          label: [s.name, s.providedBy?.display].filter(Boolean).join(' – '),
        }))}
      />
      <Radios
        name="priority"
        legend="How soon do you need an answer?"
        value={priority}
        onChange={setPriority}
        options={[
          { value: 'routine', label: 'Routine' },
          { value: 'urgent', label: 'Urgent' },
        ]}
      />
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          If you suspect cancer, make a two-week-wait referral instead: advice and guidance is not for urgent suspected
          cancer.
        </p>
      </div>
      <TextArea
        id="question"
        label="Your question"
        hint="Include the history, what has been tried, and relevant results"
        rows={6}
        value={question}
        onChange={setQuestion}
        error={problems.question}
      />
      <FilesInput
        id="files"
        files={files}
        onChange={setFiles}
        error={problems.files}
        onError={(message) => setProblems((p) => ({ ...p, files: message }))}
      />
      <button type="submit" className="nhsuk-button" disabled={ask.isPending}>
        Send the question
      </button>
    </form>
  );
}
