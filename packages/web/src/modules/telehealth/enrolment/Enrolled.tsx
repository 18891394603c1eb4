import { useQuery } from '@tanstack/react-query';
import { Loading, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { enrolmentsQuery } from './api.ts';
import { EnrolmentStatus } from './EnrolmentStatus.tsx';

/**
 * After the CarePlan is written: what the server made of it. Its enrolment appears once the write's
 * reaction has run (a moment later), so this asks until it is listed.
 */
export function Enrolled({ patientId, carePlanId, title }: { patientId: string; carePlanId: string; title: string }) {
  const enrolments = useQuery(enrolmentsQuery(patientId, { carePlan: `CarePlan/${carePlanId}` }));
  const enrolment = enrolments.data?.find((e) => e.carePlan === `CarePlan/${carePlanId}`);
  if (!enrolment) {
    return enrolments.status === 'error' ? (
      <QueryStatus query={enrolments} what="the enrolment" errorTitle="The enrolment could not be loaded" />
    ) : (
      <Loading what="the enrolment" />
    );
  }
  const refused = enrolment.status === 'refused';
  return (
    <>
      {refused ? (
        <div className="nhsuk-error-summary" role="alert" tabIndex={-1}>
          <h2 className="nhsuk-error-summary__title">The patient could not be enrolled</h2>
          <div className="nhsuk-error-summary__body">
            <p>The care plan was saved, but no texts will be sent until these are put right.</p>
          </div>
        </div>
      ) : (
        <Notice title={`Enrolled on ${title}`}>
          <p className="nhsuk-body">The patient will get the first text at the time shown below.</p>
        </Notice>
      )}
      <EnrolmentStatus enrolment={enrolment} title={title} />
      <p className="nhsuk-body">
        <a href={`/telehealth/enrolments/${carePlanId}`}>Manage this enrolment</a> (pause, change thresholds or stop)
      </p>
    </>
  );
}
