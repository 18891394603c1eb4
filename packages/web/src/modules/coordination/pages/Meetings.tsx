import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import {
  casesQuery,
  COORDINATION_KEY,
  createMeeting,
  directoryQuery,
  longDate,
  meetingsQuery,
  type MeetingSummary,
} from '../api.ts';
import { HubNav, Select, TextInput } from '../fields.tsx';

const COLUMNS: Column<MeetingSummary>[] = [
  {
    key: 'title',
    header: 'Meeting',
    rowHeader: true,
    cell: (m) => <a href={`/coordination/meetings/${encodeURIComponent(m.id)}`}>{m.title}</a>,
  },
  { key: 'when', header: 'When', cell: (m) => longDate(m.start) },
  { key: 'patients', header: 'Patients to discuss', numeric: true, cell: (m) => m.patients },
];

/** MDT meetings the caller's organisation called or was invited to (upcoming first), and a form to call one. */
export default function Meetings() {
  const meetings = useQuery(meetingsQuery);
  return (
    <>
      <PageTitle caption="Care coordination">MDT meetings</PageTitle>
      <HubNav />
      {meetings.status === 'pending' && <Loading what="meetings" />}
      {meetings.status === 'error' && <ErrorMessage title="Meetings could not be loaded" error={meetings.error} />}
      {meetings.status === 'success' &&
        (meetings.data.meetings.length === 0 ? (
          <Empty>There are no MDT meetings.</Empty>
        ) : (
          <ResponsiveTable
            caption="MDT meetings"
            captionHidden
            columns={COLUMNS}
            rows={meetings.data.meetings}
            rowKey={(m) => m.id}
          />
        ))}
      <NewMeeting />
    </>
  );
}

function NewMeeting() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const cases = useQuery(casesQuery);
  const directory = useQuery(directoryQuery);
  const [title, setTitle] = useState('');
  const [start, setStart] = useState('');
  const [patients, setPatients] = useState<string[]>([]);
  const [share, setShare] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const run = useMutation({
    mutationFn: () =>
      createMeeting({
        title: title.trim(),
        start: new Date(start).toISOString(),
        patients,
        organizations: share ? [share] : [],
      }),
    onSuccess: async (meeting) => {
      await queryClient.invalidateQueries({ queryKey: COORDINATION_KEY });
      await navigate(`/coordination/meetings/${meeting.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (title.trim().length < 3) {
      found['meeting-title'] = 'Enter a name for the meeting';
    }
    if (!start || Number.isNaN(new Date(start).getTime())) {
      found['meeting-start'] = 'Enter the date and time of the meeting';
    }
    if (patients.length === 0) {
      found['meeting-patients'] = 'Choose at least one patient to discuss';
    }
    setProblems(found);
    if (!Object.keys(found).length) {
      run.mutate();
    }
  };
  const toggle = (id: string) => setPatients((now) => (now.includes(id) ? now.filter((p) => p !== id) : [...now, id]));
  return (
    <form onSubmit={submit} noValidate className="nhsuk-u-margin-top-6">
      <h2 className="nhsuk-heading-m">Arrange a meeting</h2>
      <ErrorSummary errors={problems} id="meeting-errors" focusOnShow />
      {run.error && <ErrorMessage title="The meeting was not arranged" error={run.error} />}
      <TextInput id="meeting-title" label="Name" error={problems['meeting-title']} value={title} onChange={setTitle} />
      <TextInput
        id="meeting-start"
        label="Date and time"
        type="datetime-local"
        width="20"
        error={problems['meeting-start']}
        value={start}
        onChange={setStart}
      />
      <div className={`nhsuk-form-group${problems['meeting-patients'] ? ' nhsuk-form-group--error' : ''}`}>
        <fieldset className="nhsuk-fieldset">
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
            Patients to discuss (from your case list)
          </legend>
          {problems['meeting-patients'] && (
            <span className="nhsuk-error-message">
              <span className="nhsuk-u-visually-hidden">Error:</span> {problems['meeting-patients']}
            </span>
          )}
          <div className="nhsuk-checkboxes" id="meeting-patients">
            {(cases.data?.cases ?? []).map((c) => (
              <div className="nhsuk-checkboxes__item" key={c.patient.id}>
                <input
                  className="nhsuk-checkboxes__input"
                  id={`meeting-patient-${c.patient.id}`}
                  type="checkbox"
                  checked={patients.includes(c.patient.id)}
                  onChange={() => toggle(c.patient.id)}
                />
                <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`meeting-patient-${c.patient.id}`}>
                  {c.patient.name}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <Select
        id="meeting-share"
        label="Invite another organisation (optional)"
        hint="Its staff see the meeting and its list of patients."
        value={share}
        onChange={setShare}
        placeholder="Only my organisation"
        options={(directory.data?.organizations ?? []).map((o) => ({ value: o.id, label: o.name }))}
      />
      <button type="submit" className="nhsuk-button" disabled={run.isPending}>
        Arrange meeting
      </button>
    </form>
  );
}
