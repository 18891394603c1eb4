import type { Appointment, Encounter, Patient, Schedule, Slot } from '@medplum/fhirtypes';
import { Button } from 'nhsuk-react-components';
import { useMemo, useState, type FormEvent } from 'react';
import { FHIR_BASE, api, fhirGet, parameters, searchAll } from '../../api/client.ts';
import { forgetRecord, organisationName, resolveOrganisations, sourceOrganisationId } from '../../api/record.ts';
import { useSession } from '../../auth/session.ts';
import { useAsync } from '../../components/async.ts';
import { Empty, ErrorMessage, Loading, Notice } from '../../components/feedback.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { formatDate, formatDay, formatTime, londonDay } from '../../lib/dates.ts';
import { conceptText, refId } from '../../lib/fhir-display.ts';

const DAYS_SHOWN = 5;

interface Visit {
  key: string;
  what: string;
  start?: string;
  where: string;
  status: string;
  appointment?: Appointment;
}

/** Upcoming and past appointments everywhere, and booking or cancelling GP appointments. */
export function Appointments({ patientId }: { patientId: string }) {
  const session = useSession();
  const [notice, setNotice] = useState<string>();
  const data = useAsync(async () => {
    const [patient, appointments, encounters] = await Promise.all([
      fhirGet<Patient>(`Patient/${patientId}`),
      searchAll<Appointment>(
        'Appointment',
        { patient: `Patient/${patientId}`, _sort: '-date', _count: '200' },
        { maxPages: 3 },
      ),
      searchAll<Encounter>(
        'Encounter',
        { patient: `Patient/${patientId}`, _sort: '-date', _count: '30' },
        { maxPages: 1 },
      ),
    ]);
    const practiceId = refId(
      patient.generalPractitioner?.find((g) => refId(g, 'Organization')),
      'Organization',
    );
    const record = { patient, referenced: new Map(), byType: new Map([['Encounter', encounters.resources]]) };
    const orgIds = [
      practiceId,
      ...[...appointments.resources, ...encounters.resources].map((r) => sourceOrganisationId(r, record)),
    ];
    await resolveOrganisations(orgIds.filter((id): id is string => Boolean(id)));
    const visits: Visit[] = [
      ...appointments.resources.map((a) => ({
        key: `Appointment/${a.id}`,
        what: a.description ?? conceptText(a.serviceType?.[0]),
        start: a.start,
        where: organisationName(sourceOrganisationId(a, record)),
        status: a.status,
        appointment: a,
      })),
      ...encounters.resources.map((e) => ({
        key: `Encounter/${e.id}`,
        what: conceptText(e.type?.[0]),
        start: e.period?.start,
        where: organisationName(sourceOrganisationId(e, record)),
        status: e.status,
      })),
    ];
    return { patient, practiceId, visits };
  }, [patientId]);

  const changed = (message: string): void => {
    setNotice(message);
    forgetRecord(patientId);
    data.reload();
  };

  if (data.status === 'loading') {
    return <Loading what="appointments" />;
  }
  if (data.status === 'error') {
    return <ErrorMessage title="Appointments could not be loaded" error={data.error} onRetry={data.reload} />;
  }
  const now = Date.now();
  const upcoming = data.data.visits
    .filter((v) => v.appointment && v.start && Date.parse(v.start) >= now && v.status === 'booked')
    .sort((a, b) => Date.parse(a.start!) - Date.parse(b.start!));
  const past = data.data.visits
    .filter((v) => !upcoming.includes(v) && v.start && (Date.parse(v.start) < now || v.status === 'cancelled'))
    .sort((a, b) => Date.parse(b.start!) - Date.parse(a.start!))
    .slice(0, 30);
  return (
    <>
      <PageTitle>Appointments</PageTitle>
      {notice && <Notice title={notice} />}
      <h2 className="nhsuk-heading-m">Upcoming appointments</h2>
      {upcoming.length === 0 ? (
        <Empty>You have no upcoming appointments.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {upcoming.map((visit) => (
            <UpcomingAppointment key={visit.key} visit={visit} onCancelled={changed} />
          ))}
        </ul>
      )}
      {data.data.practiceId ? (
        <BookAppointment patientId={patientId} practiceId={data.data.practiceId} onBooked={changed} />
      ) : (
        <p className="nhsuk-body">
          You are not registered with a GP practice, so you cannot book a GP appointment here.
        </p>
      )}
      <h2 className="nhsuk-heading-m">Past and cancelled appointments, and visits</h2>
      {past.length === 0 ? (
        <Empty>No past appointments or visits.</Empty>
      ) : (
        <table className="nhsuk-table-responsive">
          <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">
            Past and cancelled appointments, and visits
          </caption>
          <thead className="nhsuk-table__head">
            <tr className="nhsuk-table__row">
              <th scope="col" className="nhsuk-table__header">
                Date
              </th>
              <th scope="col" className="nhsuk-table__header">
                What
              </th>
              <th scope="col" className="nhsuk-table__header">
                Where
              </th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {past.map((visit) => (
              <tr className="nhsuk-table__row" key={visit.key}>
                <td className="nhsuk-table__cell">
                  <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                    Date{' '}
                  </span>
                  {formatDate(visit.start)}
                </td>
                <td className="nhsuk-table__cell">
                  <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                    What{' '}
                  </span>
                  {visit.what}
                  {visit.status === 'cancelled' && (
                    <strong className="nhsuk-tag nhsuk-tag--grey cw-tag-s cw-tag-after">Cancelled</strong>
                  )}
                </td>
                <td className="nhsuk-table__cell">
                  <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                    Where{' '}
                  </span>
                  {visit.where}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {session?.kind === 'related-person' && (
        <p className="nhsuk-body-s">You are managing appointments for someone you care for.</p>
      )}
    </>
  );
}

function withWhom(appointment: Appointment): string {
  const people = (appointment.participant ?? [])
    .map((p) => p.actor)
    .filter((a) => a?.reference?.startsWith('Practitioner') && a.display)
    .map((a) => a!.display!);
  return people.length ? ` with ${people.join(', ')}` : '';
}

function UpcomingAppointment({ visit, onCancelled }: { visit: Visit; onCancelled: (message: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const appointment = visit.appointment!;
  const when = `${formatDay(visit.start!)} at ${formatTime(visit.start)}`;
  const cancel = async (): Promise<void> => {
    setBusy(true);
    setFailure(undefined);
    try {
      await api(`${FHIR_BASE}/Appointment/${appointment.id}/$cancel`, {
        method: 'POST',
        body: parameters({ reason: 'Cancelled online by the patient' }),
      });
      onCancelled(`Your appointment on ${when} has been cancelled.`);
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="nhsuk-card nhsuk-u-margin-bottom-3 cw-appointment">
      <div className="nhsuk-card__content">
        <h3 className="nhsuk-card__heading nhsuk-heading-s">{when}</h3>
        <p className="nhsuk-card__description">
          {visit.what}
          {withWhom(appointment)}, {visit.where}
        </p>
        {failure && <ErrorMessage error={failure} title="The appointment was not cancelled" />}
        {confirming ? (
          <div className="cw-confirm" role="group" aria-label="Confirm cancellation">
            <p className="nhsuk-body">
              Are you sure you want to cancel this appointment? Someone else will be able to book it.
            </p>
            <div className="nhsuk-button-group">
              <Button warning type="button" disabled={busy} onClick={() => void cancel()}>
                Yes, cancel it
              </Button>
              <Button secondary type="button" onClick={() => setConfirming(false)}>
                No, keep it
              </Button>
            </div>
          </div>
        ) : (
          <Button
            secondary
            type="button"
            className="nhsuk-u-margin-bottom-0"
            onClick={() => setConfirming(true)}
            aria-label={`Cancel appointment on ${when}`}
          >
            Cancel appointment
          </Button>
        )}
      </div>
    </li>
  );
}

function BookAppointment({
  patientId,
  practiceId,
  onBooked,
}: {
  patientId: string;
  practiceId: string;
  onBooked: (message: string) => void;
}) {
  const [chosen, setChosen] = useState('');
  const [problem, setProblem] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [days, setDays] = useState(DAYS_SHOWN);
  const slots = useAsync(async () => {
    const schedules = await searchAll<Schedule>(
      'Schedule',
      { 'actor:Location.organization': `Organization/${practiceId}`, active: 'true', _count: '50' },
      { maxPages: 1 },
    );
    if (schedules.resources.length === 0) {
      return { slots: [] as Slot[], schedules: new Map<string, Schedule>() };
    }
    const free = await searchAll<Slot>(
      'Slot',
      {
        schedule: schedules.resources.map((s) => `Schedule/${s.id}`).join(','),
        status: 'free',
        start: `ge${new Date().toISOString()}`,
        _sort: 'start',
        _count: '500',
      },
      { maxPages: 2 },
    );
    return { slots: free.resources, schedules: new Map(schedules.resources.map((s) => [s.id!, s])) };
  }, [practiceId]);

  const byDay = useMemo(() => {
    const groups = new Map<string, Slot[]>();
    for (const slot of slots.data?.slots ?? []) {
      const day = londonDay(slot.start);
      groups.set(day, [...(groups.get(day) ?? []), slot]);
    }
    return [...groups.entries()];
  }, [slots.data]);

  const describeSlot = (slot: Slot): string => {
    const schedule = slots.data?.schedules.get(refId(slot.schedule, 'Schedule') ?? '');
    const who = schedule?.actor?.find((a) => a.reference?.startsWith('PractitionerRole/'))?.display;
    return `${formatTime(slot.start)} ${conceptText(slot.serviceType?.[0] ?? schedule?.serviceType?.[0])}${who ? ` with ${who}` : ''}`;
  };

  const book = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!chosen) {
      setProblem('Choose an appointment time');
      return;
    }
    setProblem(undefined);
    setFailure(undefined);
    setBusy(true);
    const slot = slots.data?.slots.find((s) => s.id === chosen);
    try {
      await api<Appointment>(`${FHIR_BASE}/Appointment/$book`, {
        method: 'POST',
        body: parameters({ slot: { reference: `Slot/${chosen}` }, patient: { reference: `Patient/${patientId}` } }),
      });
      setChosen('');
      onBooked(`Appointment booked: ${formatDay(slot!.start)}, ${describeSlot(slot!)}.`);
    } catch (error) {
      setFailure(error as Error);
      slots.reload();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="book-heading" className="cw-book">
      <h2 className="nhsuk-heading-m" id="book-heading">
        Book a GP appointment
      </h2>
      <p className="nhsuk-body">
        At {organisationName(practiceId)}. If you need help now, call 111 or, in an emergency, 999.
      </p>
      {failure && <ErrorMessage error={failure} title="The appointment was not booked" />}
      {slots.status === 'loading' && <Loading what="appointment times" />}
      {slots.status === 'error' && <ErrorMessage error={slots.error} onRetry={slots.reload} />}
      {slots.status === 'ready' &&
        (byDay.length === 0 ? (
          <Empty>There are no appointments to book online in the next 4 weeks. Contact your GP practice.</Empty>
        ) : (
          <form onSubmit={(e) => void book(e)} noValidate>
            <div className={`nhsuk-form-group${problem ? ' nhsuk-form-group--error' : ''}`}>
              <fieldset className="nhsuk-fieldset" aria-describedby={problem ? 'slot-error' : undefined}>
                <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Choose a time</legend>
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
                            {describeSlot(slot)}
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
            <div>
              <Button type="submit" disabled={busy}>
                Book appointment
              </Button>
            </div>
          </form>
        ))}
    </section>
  );
}
