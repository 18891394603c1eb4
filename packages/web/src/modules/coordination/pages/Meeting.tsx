import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatTime } from '../../../lib/dates.ts';
import {
  COORDINATION_KEY,
  longDate,
  meetingQuery,
  recordOutcome,
  type Meeting as MeetingData,
  type MeetingAppointment,
} from '../api.ts';
import { HubNav, TextArea, TextInput } from '../fields.tsx';

type Item = MeetingData['items'][number];

/** An MDT meeting: each patient on its list with the outcome recorded and the next review date. */
export default function Meeting() {
  const { id = '' } = useParams();
  const meeting = useQuery(meetingQuery(id));
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      <PageTitle caption="MDT meeting">{meeting.data?.title ?? 'MDT meeting'}</PageTitle>
      <HubNav />
      {done && <Notice title={done} />}
      {meeting.status === 'pending' && <Loading what="the meeting" />}
      {meeting.status === 'error' && <ErrorMessage title="The meeting could not be loaded" error={meeting.error} />}
      {meeting.status === 'success' && (
        <>
          <p className="nhsuk-body-l">{longDate(meeting.data.start)}</p>
          {meeting.data.appointment && <Invited appointment={meeting.data.appointment} />}
          <ul className="nhsuk-list">
            {meeting.data.items.map((item) => (
              <PatientItem key={item.patient.id} meetingId={id} item={item} onDone={setDone} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}

const REPLY: Record<string, string> = {
  accepted: 'Accepted',
  declined: 'Declined',
  tentative: 'Tentative',
  'needs-action': 'Invited',
};

/** The meeting as booked (its Appointment): until when, and who is invited from the care teams. */
function Invited({ appointment }: { appointment: MeetingAppointment }) {
  return (
    <section aria-labelledby="invited-heading">
      <h2 className="nhsuk-heading-s" id="invited-heading">
        Booked until {formatTime(appointment.end)}
        {appointment.status === 'fulfilled' ? ' (held)' : appointment.status === 'cancelled' ? ' (cancelled)' : ''}
      </h2>
      <p className="nhsuk-body-s">
        {appointment.carePlans.length} care {appointment.carePlans.length === 1 ? 'plan' : 'plans'} to discuss. Invited
        from the care teams:
      </p>
      <ul className="nhsuk-list nhsuk-list--bullet">
        {appointment.participants.map((p) => (
          <li key={p.reference}>
            {p.name ?? 'A member of the care team'}
            {p.chair ? ' (chair)' : ''}: {REPLY[p.status] ?? p.status}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PatientItem({ meetingId, item, onDone }: { meetingId: string; item: Item; onDone: (m: string) => void }) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState('');
  const [review, setReview] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const pid = item.patient.id;
  const run = useMutation({
    mutationFn: () =>
      recordOutcome(meetingId, { patientId: pid, outcome: outcome.trim(), ...(review ? { nextReview: review } : {}) }),
    onSuccess: async () => {
      setOutcome('');
      onDone(`Outcome for ${item.patient.name} recorded in their record.`);
      window.scrollTo(0, 0);
      await queryClient.invalidateQueries({ queryKey: COORDINATION_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> =
      outcome.trim().length < 3 ? { [`outcome-${pid}`]: 'Enter the outcome of the discussion' } : {};
    setProblems(found);
    if (!Object.keys(found).length) {
      run.mutate();
    }
  };
  const headingId = `patient-${pid}`;
  return (
    <li className="nhsuk-card" aria-labelledby={headingId}>
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-s" id={headingId}>
          <a href={`/coordination/cases/${encodeURIComponent(pid)}`}>{item.patient.name}</a>
        </h2>
        <p className="nhsuk-body-s">Next review: {longDate(item.nextReview)}</p>
        {item.outcome ? (
          <p className="nhsuk-body">
            <strong>Outcome:</strong> {item.outcome.text}
          </p>
        ) : (
          <p className="nhsuk-body">No outcome recorded yet.</p>
        )}
        <form onSubmit={submit} noValidate>
          <ErrorSummary errors={problems} id={`outcome-errors-${pid}`} focusOnShow />
          {run.error && <ErrorMessage title="The outcome was not recorded" error={run.error} />}
          <TextArea
            id={`outcome-${pid}`}
            label={`Outcome for ${item.patient.name}`}
            error={problems[`outcome-${pid}`]}
            value={outcome}
            onChange={setOutcome}
          />
          <TextInput
            id={`review-${pid}`}
            label="Next review date (optional)"
            type="date"
            width="10"
            value={review}
            onChange={setReview}
          />
          <button
            type="submit"
            className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
            disabled={run.isPending}
          >
            Record outcome<span className="nhsuk-u-visually-hidden"> for {item.patient.name}</span>
          </button>
        </form>
      </div>
    </li>
  );
}
