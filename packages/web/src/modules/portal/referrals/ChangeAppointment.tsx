import type { Slot } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Empty, ErrorMessage } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { formatDay, formatTime, londonDay } from '../../../lib/dates.ts';
import { loadFreeSlots, loadReferrals, rescheduleAppointment, serviceName, type ReferralAppointment } from './api.ts';
import { referralsKey } from './ReferralAppointments.tsx';

const DAYS_SHOWN = 5;

/**
 * Changing a referral appointment to another free time of the same service. The server cancels the
 * old one and books the new one in one transaction (nothing changes if the time was just taken); in a
 * booked pathway the later appointments move with it. An appointment that is not the patient's is
 * simply not found.
 */
export default function ChangeAppointment({ patientId }: { patientId: string }) {
  const { id = '' } = useParams();
  const data = useQuery({ queryKey: referralsKey(patientId), queryFn: () => loadReferrals(patientId) });
  if (data.status !== 'success') {
    return <QueryStatus query={data} what="the appointment" errorTitle="The appointment could not be loaded" />;
  }
  const item = data.data.appointments.find((a) => a.appointment.id === id);
  if (!item || item.appointment.status !== 'booked' || !item.serviceId) {
    return (
      <>
        <PageTitle>Appointment not found</PageTitle>
        <p className="nhsuk-body">
          We could not find a booked referral appointment of yours to change. It may have been cancelled or moved.
        </p>
        <p className="nhsuk-body">
          <Link to="/my/referrals">Go back to your referral appointments</Link>
        </p>
      </>
    );
  }
  return <ChooseTime item={item} patientId={patientId} />;
}

function ChooseTime({ item, patientId }: { item: ReferralAppointment; patientId: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState('');
  const [problem, setProblem] = useState<string>();
  const [days, setDays] = useState(DAYS_SHOWN);
  const slotsKey = ['portal-referral-slots', item.serviceId];
  const slots = useQuery({ queryKey: slotsKey, queryFn: () => loadFreeSlots(item.serviceId!) });
  const current = item.appointment.start!;
  const byDay = useMemo(() => {
    const groups = new Map<string, Slot[]>();
    for (const slot of slots.data ?? []) {
      const day = londonDay(slot.start);
      groups.set(day, [...(groups.get(day) ?? []), slot]);
    }
    return [...groups.entries()];
  }, [slots.data]);

  const changing = useMutation({
    mutationFn: (slot: Slot) => rescheduleAppointment(item.appointment.id!, slot.id!),
    onSuccess: async (_result, slot) => {
      await queryClient.invalidateQueries({ queryKey: referralsKey(patientId) });
      await navigate('/my/referrals', {
        state: {
          notice: `Your appointment has been changed to ${formatDay(slot.start)} at ${formatTime(slot.start)}.`,
        },
      });
    },
    // The time may have been taken meanwhile: show what is free now.
    onError: () => void queryClient.invalidateQueries({ queryKey: slotsKey }),
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const slot = slots.data?.find((s) => s.id === chosen);
    if (!slot) {
      setProblem('Choose a new time');
      return;
    }
    setProblem(undefined);
    changing.mutate(slot);
  };

  return (
    <>
      <PageTitle caption={serviceName(item)}>Change your appointment</PageTitle>
      {problem && (
        <div className="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabIndex={-1}>
          <h2 className="nhsuk-error-summary__title" id="error-summary-title">
            There is a problem
          </h2>
          <div className="nhsuk-error-summary__body">
            <ul className="nhsuk-list nhsuk-error-summary__list">
              <li>
                <a href="#slot-choice">{problem}</a>
              </li>
            </ul>
          </div>
        </div>
      )}
      <p className="nhsuk-body">
        Your appointment is on {formatDay(current)} at {formatTime(current)}
        {item.place ? `, at ${item.place}` : ''}.
      </p>
      {item.step && (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>
            This is the {item.step.toLowerCase()} of your pathway ({item.pathway}). If you change it, your later
            appointments on the pathway move too, keeping about the same time between them. If they cannot, nothing is
            changed and we will tell you.
          </p>
        </div>
      )}
      {changing.error && <ErrorMessage error={changing.error} title="Your appointment was not changed" />}
      <QueryStatus query={slots} what="free times" />
      {slots.status === 'success' &&
        (byDay.length === 0 ? (
          <Empty>There are no other times to book online. Contact the service to change your appointment.</Empty>
        ) : (
          <form onSubmit={submit} noValidate>
            <div className={`nhsuk-form-group${problem ? ' nhsuk-form-group--error' : ''}`}>
              <fieldset
                className="nhsuk-fieldset"
                id="slot-choice"
                aria-describedby={problem ? 'slot-error' : undefined}
              >
                <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">Choose a new time</legend>
                {problem && (
                  <span className="nhsuk-error-message" id="slot-error">
                    <span className="nhsuk-u-visually-hidden">Error:</span> {problem}
                  </span>
                )}
                {byDay.slice(0, days).map(([day, daySlots]) => (
                  <div key={day} className="cw-slot-day">
                    <h3 className="nhsuk-heading-xs nhsuk-u-margin-bottom-2">{formatDay(daySlots[0]!.start)}</h3>
                    <div className="nhsuk-radios nhsuk-radios--small cw-slot-grid">
                      {daySlots.map((slot) => (
                        <div className="nhsuk-radios__item" key={slot.id}>
                          <input
                            className="nhsuk-radios__input"
                            id={`slot-${slot.id}`}
                            name="slot"
                            type="radio"
                            value={slot.id}
                            checked={chosen === slot.id}
                            onChange={() => setChosen(slot.id!)}
                          />
                          <label className="nhsuk-label nhsuk-radios__label" htmlFor={`slot-${slot.id}`}>
                            {formatTime(slot.start)}
                            <span className="nhsuk-u-visually-hidden"> on {formatDay(slot.start)}</span>
                          </label>
                        </div>
                      ))}
                    </div>
                  </div>
                ))}
              </fieldset>
            </div>
            {byDay.length > days && (
              <button
                type="button"
                className="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
                onClick={() => setDays((d) => d + DAYS_SHOWN)}
              >
                Show more days
              </button>
            )}
            <div className="nhsuk-button-group">
              <Button type="submit" disabled={changing.isPending}>
                Change appointment
              </Button>
              <Link className="nhsuk-link" to="/my/referrals">
                Keep my appointment
              </Link>
            </div>
          </form>
        ))}
    </>
  );
}
