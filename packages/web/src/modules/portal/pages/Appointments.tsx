import type { Appointment, Encounter, Patient, Schedule, Slot } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useMemo, useState, type FormEvent } from 'react';
import { FHIR_BASE, api, fhirGet, parameters, searchAll } from '../../../api/client.ts';
import { organisationName, RECORD_KEY, resolveOrganisations, sourceOrganisationId } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDate, formatDay, formatTime, londonDay } from '../../../lib/dates.ts';
import { conceptText, refId } from '../../../lib/fhir-display.ts';

const DAYS_SHOWN = 5;

interface Visit {
  key: string;
  what: string;
  start?: string;
  where: string;
  status: string;
  appointment?: Appointment;
}

/** The patient, their practice, and their appointments and visits everywhere. */
async function loadVisits(patientId: string) {
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
}

const PAST_COLUMNS: Column<Visit>[] = [
  { key: 'date', header: 'Date', cell: (visit) => formatDate(visit.start) },
  {
    key: 'what',
    header: 'What',
    cell: (visit) => (
      <>
        {visit.what}
        {visit.status === 'cancelled' && (
          <strong className="nhsuk-tag nhsuk-tag--grey cw-tag-s cw-tag-after">Cancelled</strong>
        )}
      </>
    ),
  },
  { key: 'where', header: 'Where', cell: (visit) => visit.where },
];

/** Upcoming and past appointments everywhere, and booking or cancelling GP appointments. */
export default function Appointments({ patientId }: { patientId: string }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string>();
  const data = useQuery({ queryKey: ['appointments', patientId], queryFn: () => loadVisits(patientId) });
  // Upcoming or past as of when the page opened (rendering again must not move them).
  const [now] = useState(Date.now);

  // A booking or cancellation changes the visits, the free slots and the record.
  const changed = (message: string): void => {
    setNotice(message);
    for (const queryKey of [['appointments', patientId], ['slots'], RECORD_KEY]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  };

  if (data.status !== 'success') {
    return <QueryStatus query={data} what="appointments" errorTitle="Appointments could not be loaded" />;
  }
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
        <ResponsiveTable
          caption="Past and cancelled appointments, and visits"
          captionHidden
          columns={PAST_COLUMNS}
          rows={past}
          rowKey={(visit) => visit.key}
        />
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
  const appointment = visit.appointment!;
  const when = `${formatDay(visit.start!)} at ${formatTime(visit.start)}`;
  const cancelling = useMutation({
    mutationFn: () =>
      api(`${FHIR_BASE}/Appointment/${appointment.id}/$cancel`, {
        method: 'POST',
        body: parameters({ reason: 'Cancelled online by the patient' }),
      }),
    onSuccess: () => onCancelled(`Your appointment on ${when} has been cancelled.`),
  });
  const failure = cancelling.error;
  const busy = cancelling.isPending;
  const cancel = (): void => cancelling.mutate();
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
              <Button warning type="button" disabled={busy} onClick={cancel}>
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

/** Free GP appointment times at the practice, from now on, soonest first. */
async function loadSlots(practiceId: string) {
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
  const [days, setDays] = useState(DAYS_SHOWN);
  const queryClient = useQueryClient();
  const slots = useQuery({ queryKey: ['slots', practiceId], queryFn: () => loadSlots(practiceId) });

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

  const booking = useMutation({
    mutationFn: (slot: Slot) =>
      api<Appointment>(`${FHIR_BASE}/Appointment/$book`, {
        method: 'POST',
        body: parameters({ slot: { reference: `Slot/${slot.id}` }, patient: { reference: `Patient/${patientId}` } }),
      }),
    onSuccess: (_appointment, slot) => {
      setChosen('');
      onBooked(`Appointment booked: ${formatDay(slot.start)}, ${describeSlot(slot)}.`);
    },
    // Someone else may have taken the time: show what is free now.
    onError: () => void queryClient.invalidateQueries({ queryKey: ['slots', practiceId] }),
  });
  const failure = booking.error;
  const busy = booking.isPending;

  const book = (event: FormEvent): void => {
    event.preventDefault();
    const slot = slots.data?.slots.find((s) => s.id === chosen);
    if (!slot) {
      setProblem('Choose an appointment time');
      return;
    }
    setProblem(undefined);
    booking.mutate(slot);
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
      <QueryStatus query={slots} what="appointment times" />
      {slots.status === 'success' &&
        (byDay.length === 0 ? (
          <Empty>There are no appointments to book online in the next 4 weeks. Contact your GP practice.</Empty>
        ) : (
          <form onSubmit={book} noValidate>
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
