import type { Appointment, Patient, Schedule, Slot } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { FHIR_BASE, api, fhirGet, parameters, searchAll } from '../../../api/client.ts';
import { organisationName, RECORD_KEY, resolveOrganisations } from '../../../api/record.ts';
import { Empty, ErrorMessage } from '../../../components/feedback.tsx';
import { ErrorSummary, type FormProblems } from '../../../components/ErrorSummary.tsx';
import { Radios, TextArea } from '../../../components/fields.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDay, formatTime, londonDay } from '../../../lib/dates.ts';
import { refId } from '../../../lib/fhir-display.ts';
import { channelText } from '../../../lib/appointment-channel.ts';
import { ANY, describeChoice, filterChoices, slotChoice, type SlotChoice, type SlotFilter } from '../appointments.ts';
import { usePortalVoice } from '../voice.ts';

const DAYS_SHOWN = 3;
const MAX_REASON = 500;

/** The patient's practice and its free online appointment times from now on, soonest first. */
async function loadSlots(patientId: string) {
  const patient = await fhirGet<Patient>(`Patient/${patientId}`);
  const practiceId = refId(
    patient.generalPractitioner?.find((g) => refId(g, 'Organization')),
    'Organization',
  );
  if (!practiceId) {
    return { practiceId, choices: [] as SlotChoice[] };
  }
  await resolveOrganisations([practiceId]);
  const schedules = await searchAll<Schedule>(
    'Schedule',
    { 'actor:Location.organization': `Organization/${practiceId}`, active: 'true', _count: '50' },
    { maxPages: 1 },
  );
  if (schedules.resources.length === 0) {
    return { practiceId, choices: [] as SlotChoice[] };
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
  const byId = new Map(schedules.resources.map((s) => [s.id!, s]));
  return { practiceId, choices: free.resources.map((slot) => slotChoice(slot, byId)) };
}

/**
 * Booking a GP practice appointment: narrow the free times (who with, phone or face to face, morning or
 * afternoon), choose one, say what it is for, check, book. For a carer, in the "acting for" voice.
 */
export default function BookAppointment({ patientId }: { patientId: string }) {
  const voice = usePortalVoice();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const slots = useQuery({ queryKey: ['slots', patientId], queryFn: () => loadSlots(patientId) });
  const [filter, setFilter] = useState<SlotFilter>(ANY);
  const [chosen, setChosen] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<FormProblems>({});
  const [checking, setChecking] = useState<SlotChoice>();
  const [days, setDays] = useState(DAYS_SHOWN);
  const summary = useRef<HTMLDivElement>(null);

  const choices = useMemo(() => slots.data?.choices ?? [], [slots.data]);
  const kinds = useMemo(
    () => [...new Map(choices.filter((c) => c.kindCode).map((c) => [c.kindCode!, c.kind])).entries()],
    [choices],
  );
  const byDay = useMemo(() => {
    const groups = new Map<string, SlotChoice[]>();
    for (const choice of filterChoices(choices, filter)) {
      const day = londonDay(choice.slot.start);
      groups.set(day, [...(groups.get(day) ?? []), choice]);
    }
    return [...groups.values()];
  }, [choices, filter]);

  const booking = useMutation({
    mutationFn: (choice: SlotChoice) =>
      api<Appointment>(`${FHIR_BASE}/Appointment/$book`, {
        method: 'POST',
        body: parameters({
          slot: { reference: `Slot/${choice.slot.id}` },
          patient: { reference: `Patient/${patientId}` },
          reason: reason.trim(),
        }),
      }),
    onSuccess: async (_appointment, choice) => {
      await Promise.all(
        [['appointments', patientId], ['slots', patientId], RECORD_KEY].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      );
      void navigate('/my/appointments', {
        state: { booked: `Appointment booked: ${formatDay(choice.slot.start)}, ${describeChoice(choice)}.` },
      });
    },
    // Someone else may have taken the time: show what is free now, and let them choose again.
    onError: () => {
      setChecking(undefined);
      setChosen('');
      void queryClient.invalidateQueries({ queryKey: ['slots', patientId] });
    },
  });

  const next = (event: FormEvent): void => {
    event.preventDefault();
    const choice = choices.find((c) => c.slot.id === chosen);
    const found: FormProblems = {
      [byDay[0]?.[0] ? `slot-${byDay[0][0].slot.id}` : 'slots']: choice ? undefined : 'Choose an appointment time',
      reason: !reason.trim()
        ? 'Enter what the appointment is for'
        : reason.length > MAX_REASON
          ? `What the appointment is for must be ${MAX_REASON} characters or fewer`
          : undefined,
    };
    setProblems(found);
    if (Object.values(found).some(Boolean) || !choice) {
      summary.current?.focus();
      return;
    }
    booking.reset();
    setChecking(choice);
  };

  const title = 'Book a GP appointment';
  if (slots.status !== 'success') {
    return (
      <>
        <PageTitle caption={voice.caption}>{title}</PageTitle>
        <QueryStatus query={slots} what="appointment times" />
      </>
    );
  }
  const practice = slots.data.practiceId ? organisationName(slots.data.practiceId) : undefined;
  if (checking) {
    return (
      <>
        <PageTitle caption={voice.caption} title="Check your appointment">
          Check {voice.actingFor ? 'the' : 'your'} appointment before booking
        </PageTitle>
        {booking.error && <ErrorMessage error={booking.error} title="The appointment was not booked" />}
        <dl className="nhsuk-summary-list">
          <Row label="When">{`${formatDay(checking.slot.start)} at ${formatTime(checking.slot.start)}`}</Row>
          <Row label="What">{`${checking.kind}${checking.who ? ` with ${checking.who}` : ''}`}</Row>
          {checking.channel && (
            <Row label="How">
              {channelText(checking.channel)}
              {checking.channel === 'telephone' && `: the practice will phone ${voice.you}`}
            </Row>
          )}
          {practice && <Row label="Where">{practice}</Row>}
          <Row label="Reason">{reason.trim()}</Row>
        </dl>
        <div className="nhsuk-button-group">
          <Button type="button" disabled={booking.isPending} onClick={() => booking.mutate(checking)}>
            Book this appointment
          </Button>
          <Button type="button" secondary onClick={() => setChecking(undefined)}>
            Change
          </Button>
        </div>
      </>
    );
  }
  return (
    <>
      <ErrorSummary errors={problems} ref={summary} />
      <PageTitle caption={voice.caption}>{title}</PageTitle>
      {booking.error && <ErrorMessage error={booking.error} title="The appointment was not booked" />}
      {!practice ? (
        <Empty>
          {voice.You} {voice.actingFor ? 'is' : 'are'} not registered with a GP practice, so cannot book a GP
          appointment here.
        </Empty>
      ) : (
        <>
          <div className="nhsuk-inset-text">
            <span className="nhsuk-u-visually-hidden">Information: </span>
            <p>
              At {practice}. This is not for urgent problems: if {voice.you} need{voice.actingFor ? 's' : ''} help now,
              call 111 or use 111 online; in an emergency call 999.
            </p>
          </div>
          {choices.length === 0 ? (
            <Empty>There are no appointments to book online in the next 4 weeks. Contact the GP practice.</Empty>
          ) : (
            <form onSubmit={next} noValidate>
              <h2 className="nhsuk-heading-m">Which times to show</h2>
              <div>
                {kinds.length > 1 && (
                  <Radios
                    name="kind"
                    label="Who with"
                    inline
                    value={filter.kind}
                    onChange={(kind) => setFilter({ ...filter, kind })}
                    options={[{ value: '', label: 'Anyone' }, ...kinds.map(([value, label]) => ({ value, label }))]}
                  />
                )}
                <Radios
                  name="channel"
                  label="How"
                  inline
                  value={filter.channel}
                  onChange={(channel) => setFilter({ ...filter, channel: channel as SlotFilter['channel'] })}
                  options={[
                    { value: '', label: 'Either' },
                    { value: 'telephone', label: 'By phone' },
                    { value: 'face-to-face', label: 'Face to face' },
                  ]}
                />
                <Radios
                  name="time"
                  label="Time of day"
                  inline
                  value={filter.time}
                  onChange={(time) => setFilter({ ...filter, time: time as SlotFilter['time'] })}
                  options={[
                    { value: '', label: 'Any time' },
                    { value: 'morning', label: 'Morning' },
                    { value: 'afternoon', label: 'Afternoon' },
                  ]}
                />
              </div>
              <SlotPicker
                byDay={byDay.slice(0, days)}
                chosen={chosen}
                onChoose={setChosen}
                problem={Object.entries(problems).find(([key, value]) => key !== 'reason' && value)?.[1]}
              />
              {byDay.length > days && (
                <button
                  type="button"
                  className="nhsuk-button nhsuk-button--secondary nhsuk-button--small"
                  onClick={() => setDays((d) => d + DAYS_SHOWN)}
                >
                  Show more days
                </button>
              )}
              <TextArea
                id="reason"
                label="What is the appointment for?"
                hint={`The practice reads this before the appointment; nobody reads it straight away. Do not use it for anything urgent. At most ${MAX_REASON} characters.`}
                value={reason}
                error={problems.reason}
                onChange={setReason}
                rows={4}
              />
              <Button type="submit">Continue</Button>
            </form>
          )}
        </>
      )}
      <p className="nhsuk-body">
        <Link to="/my/appointments">Back to appointments</Link>
      </p>
    </>
  );
}

function SlotPicker({
  byDay,
  chosen,
  onChoose,
  problem,
}: {
  byDay: SlotChoice[][];
  chosen: string;
  onChoose: (id: string) => void;
  problem?: string | undefined;
}) {
  return (
    <div className={`nhsuk-form-group${problem ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={problem ? 'slots-error' : undefined}>
        <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">Choose a time</legend>
        {problem && (
          <span className="nhsuk-error-message" id="slots-error">
            <span className="nhsuk-u-visually-hidden">Error:</span> {problem}
          </span>
        )}
        {byDay.length === 0 && <Empty>No times match. Show more kinds of appointment or times of day.</Empty>}
        {byDay.map((day) => (
          <div key={day[0]!.slot.id} className="cw-slot-day">
            <h3 className="nhsuk-heading-xs nhsuk-u-margin-bottom-2">{formatDay(day[0]!.slot.start)}</h3>
            <div className="nhsuk-radios nhsuk-radios--small cw-slot-grid">
              {day.map((choice) => (
                <div className="nhsuk-radios__item" key={choice.slot.id}>
                  <input
                    className="nhsuk-radios__input"
                    id={`slot-${choice.slot.id}`}
                    name="slot"
                    type="radio"
                    value={choice.slot.id}
                    checked={chosen === choice.slot.id}
                    onChange={() => onChoose(choice.slot.id!)}
                  />
                  <label className="nhsuk-label nhsuk-radios__label" htmlFor={`slot-${choice.slot.id}`}>
                    {describeChoice(choice)}
                    <span className="nhsuk-u-visually-hidden"> on {formatDay(choice.slot.start)}</span>
                  </label>
                </div>
              ))}
            </div>
          </div>
        ))}
      </fieldset>
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}
