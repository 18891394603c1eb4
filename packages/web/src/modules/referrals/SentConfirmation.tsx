import { useQuery } from '@tanstack/react-query';
import type { Appointment } from '@medplum/fhirtypes';
import { fhirGet } from '../../api/client.ts';
import { PageTitle } from '../../components/PageTitle.tsx';
import { idOf, type SentReferral, type ServiceOption } from './api.ts';
import { slotTime, statusName } from './vocabulary.ts';

/**
 * The referral sent: its UBRN and the password for the patient's appointment request letter, which
 * the server gives once (H-208) and this page never stores — and what happened to the booking.
 */
export function SentConfirmation({ sent, service }: { sent: SentReferral; service: ServiceOption | undefined }) {
  const appointment = useQuery({
    queryKey: ['referrals', 'appointment', sent.appointment],
    queryFn: ({ signal }) => fhirGet<Appointment>(sent.appointment!, signal),
    enabled: !!sent.appointment,
  });
  return (
    <>
      <PageTitle caption="Referrals">Referral sent</PageTitle>
      <div className="nhsuk-panel nhsuk-panel--confirmation" role="region" aria-labelledby="sent-title">
        <h2 className="nhsuk-panel__title" id="sent-title">
          {statusName(sent.businessStatus)}
        </h2>
        <div className="nhsuk-panel__body">
          Booking reference number (UBRN)
          <br />
          <strong className="cw-ubrn">{sent.ubrn}</strong>
        </div>
      </div>
      <div className="nhsuk-warning-callout">
        <h2 className="nhsuk-warning-callout__label">
          <span role="text">
            <span className="nhsuk-u-visually-hidden">Important: </span>Password for the patient’s letter
          </span>
        </h2>
        <p>
          Password: <strong className="cw-letter-password">{sent.letterPassword}</strong>
        </p>
        <p>
          Give it to the patient with the booking reference now (print their appointment request letter). It is shown
          only this once and cannot be looked up again.
        </p>
      </div>
      {sent.businessStatus === 'booked' && (
        <p className="nhsuk-body">
          Booked at {service?.name ?? sent.service?.name}
          {appointment.data?.start ? `: ${slotTime(appointment.data.start)}` : ''}.
        </p>
      )}
      {sent.slotIssue && (
        <div className="nhsuk-warning-callout">
          <h2 className="nhsuk-warning-callout__label">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>No appointment inside the booking window
            </span>
          </h2>
          <p>
            The referral is on the appointment slot issues list: the provider and the commissioner are told and will
            arrange an appointment. Tell the patient.
          </p>
        </div>
      )}
      {sent.bookingProblem && <p className="nhsuk-inset-text">{sent.bookingProblem}</p>}
      <ul className="nhsuk-list">
        <li>
          <a href={`/referrals/${encodeURIComponent(idOf(sent.serviceRequest))}`}>Open the referral</a>
        </li>
        {sent.patientId && (
          <li>
            <a href={`/patients/${encodeURIComponent(sent.patientId)}`}>Back to the patient’s record</a>
          </li>
        )}
      </ul>
    </>
  );
}
