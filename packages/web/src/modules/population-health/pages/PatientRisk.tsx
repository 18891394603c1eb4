import type { Patient } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ErrorMessage, Empty, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { fhirGet } from '../../../api/client.ts';
import { formatDateTime } from '../../../lib/dates.ts';
import { displayName } from '../../../lib/fhir-display.ts';
import { latestScoreQuery, POPULATION_HEALTH_KEY, rescore } from '../api.ts';
import { summariseAssessment } from '../assessment.ts';
import { BandTag } from '../BandTag.tsx';
import { listText, money, percent } from '../format.ts';

/**
 * One patient's latest risk of emergency admission (`RiskAssessment?subject=…&_sort=-date&_count=1`,
 * through the caller's view: someone without a relationship is told it is not there), with the
 * factors in plain words and "Score again now" (`$risk-score`) after news the nightly run has not seen.
 */
export default function PatientRisk() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const latest = useQuery(latestScoreQuery(id));
  // The name only labels the page; someone who may not see the patient gets no name (and no score).
  const patient = useQuery({
    queryKey: [...POPULATION_HEALTH_KEY, 'patient', id],
    queryFn: ({ signal }) => fhirGet<Patient>(`Patient/${encodeURIComponent(id)}`, signal),
    retry: false,
  });
  const again = useMutation({
    mutationFn: () => rescore(id),
    onSuccess: (assessment) => client.setQueryData(latestScoreQuery(id).queryKey, assessment),
  });
  const summary = latest.data ? summariseAssessment(latest.data) : undefined;
  return (
    <>
      <PageTitle caption={patient.data ? displayName(patient.data.name) : 'Population health'}>
        Risk of emergency admission
      </PageTitle>
      <p className="nhsuk-body">
        <a href={`/patients/${encodeURIComponent(id)}`}>Back to the patient&apos;s record</a> ·{' '}
        <a href="/population-health">Risk list</a>
      </p>
      {latest.status === 'pending' && <Loading what="the latest score" />}
      {latest.status === 'error' && (
        <ErrorMessage
          title="The score could not be loaded"
          error={latest.error}
          onRetry={() => void latest.refetch()}
        />
      )}
      {latest.status === 'success' && !summary && (
        <Empty>There is no risk score for this patient that you can see.</Empty>
      )}
      {summary && (
        <dl className="nhsuk-summary-list">
          <Row name="Band">{summary.band ? <BandTag band={summary.band} /> : 'Not given'}</Row>
          <Row name="Chance of an emergency admission in 12 months">
            {summary.probability === undefined ? 'Not given' : percent(summary.probability)}
          </Row>
          <Row name="What raised it most">
            {summary.factors.length ? (
              <ul className="nhsuk-list nhsuk-list--bullet nhsuk-u-margin-bottom-0">
                {summary.factors.map((factor) => (
                  <li key={factor}>{factor}</li>
                ))}
              </ul>
            ) : (
              listText([], 'No single factor stands out')
            )}
          </Row>
          {summary.cost12m !== undefined && (
            <Row name="Cost of care in the last 12 months">{money(summary.cost12m)}</Row>
          )}
          <Row name="Scored">
            {summary.scoredAt ? formatDateTime(summary.scoredAt) : 'Not known'}
            {summary.modelVersion ? ` (model ${summary.modelVersion})` : ''}
          </Row>
        </dl>
      )}
      {latest.status === 'success' && (
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary"
          disabled={again.isPending}
          onClick={() => again.mutate()}
        >
          {again.isPending ? 'Scoring…' : summary ? 'Score again now' : 'Score now'}
        </button>
      )}
      {again.error && <ErrorMessage title="The patient could not be scored" error={again.error} />}
    </>
  );
}

function Row({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{name}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}
