import { Button, Radios } from 'nhsuk-react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bundle, DiagnosticReport, Observation, Patient } from '@medplum/fhirtypes';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { fhirGet, fhirPut } from '../../../api/client.ts';
import { ApiError } from '../../../api/errors.ts';
import { RECORD_KEY } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatDateTime } from '../../../lib/dates.ts';
import { conceptText, displayName, resourceDate } from '../../../lib/fhir-display.ts';
import { observationName, observationValue } from '../../../lib/observations.ts';
import { formatPhone } from '../../../lib/sms.ts';
import { PRACTICE_SMS_KEY, previewResultsText, readPatientFresh, sendResultsText } from '../api.ts';
import {
  agreementOf,
  describeAgreement,
  mayRecordAgreement,
  mayTextResults,
  withAgreement,
} from '../clinical-texts.ts';

type Result = Observation | DiagnosticReport;

const patientQuery = (id: string) => ({
  queryKey: [...PRACTICE_SMS_KEY, 'patient', id],
  queryFn: ({ signal }: { signal: AbortSignal }) => readPatientFresh(id, signal),
});

/** The patient's recent results, as the GP sees them (the normal FHIR API): lab observations and reports. */
const resultsQuery = (id: string) => ({
  queryKey: [...PRACTICE_SMS_KEY, 'results', id],
  queryFn: async ({ signal }: { signal: AbortSignal }): Promise<Result[]> => {
    const subject = `subject=Patient/${encodeURIComponent(id)}&_sort=-date&_count=20`;
    const [observations, reports] = await Promise.all([
      fhirGet<Bundle<Observation>>(`Observation?${subject}&category=laboratory`, signal),
      fhirGet<Bundle<DiagnosticReport>>(`DiagnosticReport?${subject}`, signal),
    ]);
    const all: Result[] = [...(reports.entry ?? []), ...(observations.entry ?? [])]
      .map((e) => e.resource)
      .filter((r): r is Result => Boolean(r));
    const time = (r: Result): string => resourceDate(r) ?? '';
    return all.sort((a, b) => time(b).localeCompare(time(a)));
  },
});

const resultName = (r: Result): string =>
  r.resourceType === 'Observation' ? observationName(r) : conceptText(r.code) || 'Report';
const resultValue = (r: Result): string =>
  r.resourceType === 'Observation' ? observationValue(r) : (r.conclusion ?? 'See the report');

/**
 * `/practice-sms/results?patient={id}`: texts about one patient's results. Practice staff see and
 * record the patient's agreement to clinical content by text; GPs mark a result normal-to-send,
 * confirming the exact words the server will send (normal only with the agreement, else neutral).
 */
export default function PatientTexts() {
  const [params] = useSearchParams();
  const patientId = params.get('patient') ?? '';
  const session = useSession();
  const roleCode = session?.kind === 'staff' ? session.roleCode : undefined;
  const patient = useQuery({ ...patientQuery(patientId), enabled: Boolean(patientId) });

  if (!patientId) {
    return (
      <>
        <PageTitle caption="Practice texts">Texts about results</PageTitle>
        <p className="nhsuk-body">
          Open a patient’s record from <Link to="/find">Find a patient</Link> and follow “Texts about results”.
        </p>
      </>
    );
  }
  const name = patient.data ? displayName(patient.data.name) : undefined;
  return (
    <>
      <p className="nhsuk-body-s">
        <Link to={`/patients/${encodeURIComponent(patientId)}`}>Back to the patient’s record</Link>
      </p>
      <PageTitle caption="Practice texts" title={name ? `Texts about results – ${name}` : 'Texts about results'}>
        Texts about results{name ? `: ${name}` : ''}
      </PageTitle>
      {patient.status === 'pending' && <Loading what="the patient" />}
      {patient.status === 'error' && (
        <ErrorMessage
          error={patient.error}
          title="The patient could not be loaded"
          onRetry={() => void patient.refetch()}
        />
      )}
      {patient.data && (
        <>
          <AgreementSection patient={patient.data} mayRecord={mayRecordAgreement(roleCode)} />
          {mayTextResults(roleCode) ? (
            <ResultsSection patientId={patientId} />
          ) : (
            <p className="nhsuk-body">Only GPs can text a patient that a result is normal.</p>
          )}
        </>
      )}
    </>
  );
}

function AgreementSection({ patient, mayRecord }: { patient: Patient; mayRecord: boolean }) {
  const queryClient = useQueryClient();
  const current = agreementOf(patient);
  const [choice, setChoice] = useState<'yes' | 'no'>();
  const [error, setError] = useState<string>();
  const summary = useRef<HTMLDivElement>(null);
  const save = useMutation({
    // PUT with If-Match: a change made meanwhile by someone else is refused (412), not overwritten.
    mutationFn: (agreed: boolean) =>
      fhirPut<Patient>(`Patient/${patient.id}`, withAgreement(patient, agreed), patient.meta?.versionId),
    onSuccess: async (saved) => {
      setChoice(undefined);
      // The stored Patient as the server answered it (its new version for the next If-Match).
      if ((saved as Patient | undefined)?.resourceType === 'Patient') {
        queryClient.setQueryData(patientQuery(patient.id!).queryKey, saved);
      } else {
        await queryClient.invalidateQueries({ queryKey: patientQuery(patient.id!).queryKey });
      }
      await queryClient.invalidateQueries({ queryKey: RECORD_KEY });
    },
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problem = choice ? undefined : 'Choose whether the patient agrees to clinical content by text';
    setError(problem);
    save.reset();
    if (!choice) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    save.mutate(choice === 'yes');
  };

  const conflict = save.error instanceof ApiError && (save.error.status === 412 || save.error.status === 409);
  return (
    <section aria-labelledby="agreement-heading" className="nhsuk-u-margin-bottom-6">
      <ErrorSummary errors={{ agreement: error }} ref={summary} id="agreement-errors" />
      <h2 className="nhsuk-heading-m" id="agreement-heading">
        Agreement to clinical content by text
      </h2>
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Current</dt>
          <dd className="nhsuk-summary-list__value" data-testid="agreement-state">
            {describeAgreement(current)}
          </dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Recorded</dt>
          <dd className="nhsuk-summary-list__value">
            {current.recordedAt ? formatDateTime(current.recordedAt) : 'No date recorded'}
          </dd>
        </div>
      </dl>
      {mayRecord && (
        <form onSubmit={submit} noValidate>
          <Radios
            legend="Does the patient agree that texts from the practice may include clinical content?"
            legendProps={{ size: 's' }}
            hint="Record this only when the patient asks, or tells you at registration. Anyone who reads their phone may see these texts."
            name="agreement"
            idPrefix="agreement"
            id="agreement"
            error={error}
          >
            <Radios.Item value="yes" checked={choice === 'yes'} onChange={() => setChoice('yes')}>
              Yes, the patient agrees (for example “your results are normal”)
            </Radios.Item>
            <Radios.Item value="no" checked={choice === 'no'} onChange={() => setChoice('no')}>
              No, or the patient withdraws their agreement
            </Radios.Item>
          </Radios>
          <Button type="submit" secondary disabled={save.isPending}>
            Save the patient’s choice
          </Button>
        </form>
      )}
      {save.error && (
        <ErrorMessage
          error={
            conflict
              ? new Error('Someone else changed this patient’s record meanwhile. Reload the page and record it again.')
              : save.error
          }
          title="The patient’s choice was not saved"
        />
      )}
      {/* Not a second success banner: the page may show the results text's too (one banner id). */}
      <div aria-live="polite">
        {save.isSuccess && (
          <p className="nhsuk-body nhsuk-u-margin-top-4">
            <strong>The patient’s choice is saved.</strong>
          </p>
        )}
      </div>
    </section>
  );
}

function ResultsSection({ patientId }: { patientId: string }) {
  const results = useQuery(resultsQuery(patientId));
  const [chosen, setChosen] = useState<Result>();
  const preview = useMutation({ mutationFn: previewResultsText });
  const send = useMutation({ mutationFn: sendResultsText });
  const reference = (r: Result): string => `${r.resourceType}/${r.id}`;

  const choose = (result: Result): void => {
    setChosen(result);
    send.reset();
    preview.mutate(reference(result));
  };
  const cancel = (): void => {
    setChosen(undefined);
    preview.reset();
  };
  const already = send.error instanceof ApiError && send.error.status === 409;

  return (
    <section aria-labelledby="results-heading">
      <h2 className="nhsuk-heading-m" id="results-heading">
        Recent results
      </h2>
      <p className="nhsuk-body">
        Text the patient that a result is normal. The text says “normal” only if the patient agreed to clinical content
        by text; otherwise it says there is an update and to check the NHS App or contact the practice.
      </p>
      {results.status === 'pending' && <Loading what="the patient’s results" />}
      {results.status === 'error' && <ErrorMessage error={results.error} onRetry={() => void results.refetch()} />}
      {results.data?.length === 0 && <Empty>No results in the record that you can see.</Empty>}
      {results.data && results.data.length > 0 && (
        <ResponsiveTable<Result>
          caption="Recent results, newest first"
          captionHidden
          rows={results.data}
          rowKey={reference}
          columns={[
            { key: 'name', header: 'Result', rowHeader: true, cell: resultName },
            { key: 'value', header: 'Value', cell: resultValue },
            { key: 'date', header: 'Date', cell: (r) => formatDate(resourceDate(r)) },
            {
              key: 'action',
              header: 'Action',
              cell: (r) => (
                <Button
                  type="button"
                  secondary
                  className="nhsuk-u-margin-bottom-0"
                  disabled={preview.isPending || send.isPending}
                  onClick={() => choose(r)}
                >
                  Text the patient: result normal
                  <span className="nhsuk-u-visually-hidden">
                    {' '}
                    ({resultName(r)}, {formatDate(resourceDate(r))})
                  </span>
                </Button>
              ),
            },
          ]}
        />
      )}
      {preview.isPending && <Loading what="the text" />}
      {preview.error && <ErrorMessage error={preview.error} title="The text could not be prepared" />}
      {chosen && preview.data && !send.data && (
        <div className="nhsuk-card" role="region" aria-labelledby="confirm-heading">
          <div className="nhsuk-card__content">
            <h3 className="nhsuk-card__heading nhsuk-heading-s" id="confirm-heading">
              Check the text before it is sent: {resultName(chosen)}, {formatDate(resourceDate(chosen))}
            </h3>
            {preview.data.phone ? (
              <p className="nhsuk-body">To {formatPhone(preview.data.phone)}, the patient will get:</p>
            ) : (
              <p className="nhsuk-body">The patient has no mobile number in their record: no text can be sent.</p>
            )}
            <div className="nhsuk-inset-text nhsuk-u-margin-top-2">
              <p className="nhsuk-body nhsuk-u-margin-bottom-0" data-testid="results-text">
                {preview.data.body}
              </p>
            </div>
            <p className="nhsuk-body-s">
              {preview.data.clinicalContentAgreed
                ? 'The patient agreed to clinical content by text, so the text says the result is normal.'
                : 'The patient has not agreed to clinical content by text, so the text does not say the result is normal.'}
            </p>
            {preview.data.alreadySent && (
              <p className="nhsuk-body">
                <strong>A text has already been sent for this result.</strong>
              </p>
            )}
            <div className="nhsuk-button-group">
              {preview.data.phone && !preview.data.alreadySent && (
                <Button type="button" disabled={send.isPending} onClick={() => send.mutate(reference(chosen))}>
                  Send this text
                </Button>
              )}
              <Button type="button" secondary onClick={cancel}>
                Cancel
              </Button>
            </div>
          </div>
        </div>
      )}
      {send.error && (
        <ErrorMessage
          error={already ? new Error('A text has already been sent to the patient for this result.') : send.error}
          title="The text was not sent"
        />
      )}
      <div aria-live="polite">
        {send.data && (
          <Notice
            title={send.data.optedOut ? 'Not sent: the patient opted out' : 'Text sent'}
            kind={send.data.optedOut ? 'info' : 'success'}
          >
            <p className="nhsuk-body">
              {send.data.optedOut
                ? 'This number texted STOP, so no text was sent. Contact the patient another way.'
                : 'The patient was texted:'}
            </p>
            {!send.data.optedOut && <p className="nhsuk-body cw-sms__body">“{send.data.body}”</p>}
          </Notice>
        )}
      </div>
    </section>
  );
}
