import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatDay, formatTime } from '../../../lib/dates.ts';
import { cancelReferralAppointment, loadReferrals, serviceName, type ReferralAppointment } from './api.ts';
import { ReferralLetters } from './ReferralLetters.tsx';

export const referralsKey = (patientId: string) => ['portal-referrals', patientId];

const STATUS: Readonly<Record<string, { text: string; colour: string }>> = {
  booked: { text: 'Booked', colour: 'blue' },
  cancelled: { text: 'Cancelled', colour: 'grey' },
  fulfilled: { text: 'Attended', colour: 'green' },
  noshow: { text: 'Missed', colour: 'orange' },
  pending: { text: 'Waiting to be confirmed', colour: 'yellow' },
};

export function StatusTag({ status }: { status: string }) {
  const shown = STATUS[status] ?? { text: status, colour: 'grey' };
  return <strong className={`nhsuk-tag nhsuk-tag--${shown.colour} cw-tag-s`}>{shown.text}</strong>;
}

const when = (start: string | undefined) =>
  start ? `${formatDay(start)} at ${formatTime(start)}` : 'Time to be confirmed';

const PAST_COLUMNS: Column<ReferralAppointment>[] = [
  { key: 'date', header: 'Date', cell: (item) => formatDate(item.appointment.start) },
  { key: 'service', header: 'Service', cell: (item) => serviceName(item) },
  { key: 'place', header: 'Where', cell: (item) => item.place },
  { key: 'status', header: 'Status', cell: (item) => <StatusTag status={item.appointment.status} /> },
];

/**
 * The patient's referral appointments (hospital and community services they were referred to): the
 * ones ahead, to change or cancel; past and cancelled ones; and letters about referrals that were
 * not accepted, in the plain English the service wrote them in.
 */
export default function ReferralAppointments({ patientId }: { patientId: string }) {
  const data = useQuery({ queryKey: referralsKey(patientId), queryFn: () => loadReferrals(patientId) });
  const location = useLocation();
  const [notice, setNotice] = useState<string | undefined>((location.state as { notice?: string } | null)?.notice);
  // Upcoming or past as of when the page opened (rendering again must not move them).
  const [now] = useState(Date.now);
  if (data.status !== 'success') {
    return (
      <QueryStatus query={data} what="referral appointments" errorTitle="Referral appointments could not be loaded" />
    );
  }
  const { appointments, letters } = data.data;
  const upcoming = appointments
    .filter((a) => a.appointment.status === 'booked' && Date.parse(a.appointment.start ?? '') >= now)
    .sort((a, b) => Date.parse(a.appointment.start!) - Date.parse(b.appointment.start!));
  const others = appointments.filter((a) => !upcoming.includes(a));
  return (
    <>
      <PageTitle>Referrals and hospital appointments</PageTitle>
      {notice && <Notice title={notice} />}
      <p className="nhsuk-body">
        Appointments with hospital and community services your GP referred you to. You can change or cancel them here.
      </p>
      <h2 className="nhsuk-heading-m">Upcoming referral appointments</h2>
      {upcoming.length === 0 ? (
        <Empty>You have no upcoming referral appointments.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {upcoming.map((item) => (
            <UpcomingReferral key={item.appointment.id} item={item} patientId={patientId} onCancelled={setNotice} />
          ))}
        </ul>
      )}
      <h2 className="nhsuk-heading-m">Past and cancelled referral appointments</h2>
      {others.length === 0 ? (
        <Empty>No past or cancelled referral appointments.</Empty>
      ) : (
        <ResponsiveTable
          caption="Past and cancelled referral appointments"
          captionHidden
          columns={PAST_COLUMNS}
          rows={others}
          rowKey={(item) => item.appointment.id ?? ''}
        />
      )}
      <ReferralLetters letters={letters} />
    </>
  );
}

function UpcomingReferral({
  item,
  patientId,
  onCancelled,
}: {
  item: ReferralAppointment;
  patientId: string;
  onCancelled: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const { appointment } = item;
  const time = when(appointment.start);
  const cancelling = useMutation({
    mutationFn: () => cancelReferralAppointment(appointment.id!),
    onSuccess: () => {
      onCancelled(`Your appointment on ${time} has been cancelled.`);
      void queryClient.invalidateQueries({ queryKey: referralsKey(patientId) });
    },
  });
  return (
    <li className="nhsuk-card nhsuk-u-margin-bottom-3 cw-appointment">
      <div className="nhsuk-card__content">
        <h3 className="nhsuk-card__heading nhsuk-heading-s">{time}</h3>
        <dl className="nhsuk-summary-list nhsuk-u-margin-bottom-3">
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Service</dt>
            <dd className="nhsuk-summary-list__value">{serviceName(item)}</dd>
          </div>
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Where</dt>
            <dd className="nhsuk-summary-list__value">{item.place || 'The service will tell you'}</dd>
          </div>
          {item.step && (
            <div className="nhsuk-summary-list__row">
              <dt className="nhsuk-summary-list__key">Pathway</dt>
              <dd className="nhsuk-summary-list__value">
                {item.step} — {item.pathway}
              </dd>
            </div>
          )}
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Status</dt>
            <dd className="nhsuk-summary-list__value">
              <StatusTag status={appointment.status} />
            </dd>
          </div>
        </dl>
        {cancelling.error && <ErrorMessage error={cancelling.error} title="The appointment was not cancelled" />}
        {confirming ? (
          <div className="cw-confirm" role="group" aria-label="Confirm cancellation">
            <p className="nhsuk-body">
              Are you sure you want to cancel this appointment? Someone else will be able to book it. If you still need
              to be seen, change it to another time instead.
            </p>
            <div className="nhsuk-button-group">
              <Button warning type="button" disabled={cancelling.isPending} onClick={() => cancelling.mutate()}>
                Yes, cancel it
              </Button>
              <Button secondary type="button" onClick={() => setConfirming(false)}>
                No, keep it
              </Button>
            </div>
          </div>
        ) : (
          <div className="nhsuk-button-group nhsuk-u-margin-bottom-0">
            <Link
              className="nhsuk-button nhsuk-u-margin-bottom-0"
              to={`/my/referrals/${appointment.id}/change`}
              aria-label={`Change appointment on ${time}`}
            >
              Change appointment
            </Link>
            <Button
              secondary
              type="button"
              className="nhsuk-u-margin-bottom-0"
              onClick={() => setConfirming(true)}
              aria-label={`Cancel appointment on ${time}`}
            >
              Cancel appointment
            </Button>
          </div>
        )}
      </div>
    </li>
  );
}
