import { Button, Checkboxes, TextInput } from 'nhsuk-react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { formatPhone } from '../../../lib/sms.ts';
import {
  PRACTICE_SMS_KEY,
  reminderSettingsQuery,
  remindersQuery,
  saveReminderSettings,
  sendDueReminders,
  type Reminder,
  type ReminderSettings,
} from '../api.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { SectionNav } from '../Parts.tsx';

type Errors = { from?: string; to?: string };

const STATUS: Record<Reminder['status'], string> = {
  sent: 'Sent',
  'opted-out': 'Not sent: the number texted STOP',
  'cancelled-by-reply': 'Cancelled by the patient’s reply',
};

/** Reminder settings (on/off, window) and the reminders sent, with cancellations by reply. */
export default function Reminders() {
  const settings = useQuery(reminderSettingsQuery);
  const reminders = useQuery(remindersQuery);
  const queryClient = useQueryClient();
  const sendNow = useMutation({
    mutationFn: sendDueReminders,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: PRACTICE_SMS_KEY }),
  });
  const rows = reminders.data?.reminders ?? [];
  return (
    <>
      <PageTitle caption="Practice texts">Appointment reminders</PageTitle>
      <SectionNav current="reminders" />
      {settings.status === 'pending' && <Loading what="reminder settings" />}
      {settings.status === 'error' && <ErrorMessage error={settings.error} onRetry={() => void settings.refetch()} />}
      {settings.data && <SettingsForm initial={settings.data} />}

      <h2 className="nhsuk-heading-m">Reminders sent</h2>
      <p className="nhsuk-body">
        Reminders are sent every 15 minutes. A patient who replies CANCEL (or “cancel please”) has that appointment
        cancelled and its slot freed; other replies appear in Messages.
      </p>
      <Button type="button" secondary onClick={() => sendNow.mutate()} disabled={sendNow.isPending}>
        Send due reminders now
      </Button>
      {sendNow.error && <ErrorMessage error={sendNow.error} title="Reminders were not sent" />}
      <div aria-live="polite">
        {sendNow.data && (
          <p className="nhsuk-body">
            {sendNow.data.sent === 1 ? '1 reminder sent.' : `${sendNow.data.sent} reminders sent.`}
          </p>
        )}
      </div>
      {reminders.status === 'pending' && <Loading what="reminders" />}
      {reminders.status === 'error' && (
        <ErrorMessage error={reminders.error} onRetry={() => void reminders.refetch()} />
      )}
      {reminders.status === 'success' && rows.length === 0 && <Empty>No reminders sent yet.</Empty>}
      {rows.length > 0 && (
        <ResponsiveTable<Reminder>
          caption="Reminders, newest first"
          captionHidden
          rows={rows}
          rowKey={(row) => row.appointmentId}
          columns={[
            { key: 'patient', header: 'Patient', rowHeader: true, cell: (row) => row.patientName },
            { key: 'appointment', header: 'Appointment', cell: (row) => formatDateTime(row.appointmentStart) },
            { key: 'mobile', header: 'Mobile', cell: (row) => formatPhone(row.phone) },
            { key: 'sent', header: 'Sent', cell: (row) => formatDateTime(row.sentAt) },
            {
              key: 'status',
              header: 'Status',
              cell: (row) => (
                <strong
                  className={`nhsuk-tag ${row.status === 'cancelled-by-reply' ? 'nhsuk-tag--orange' : row.status === 'sent' ? 'nhsuk-tag--green' : 'nhsuk-tag--grey'}`}
                >
                  {STATUS[row.status]}
                </strong>
              ),
            },
          ]}
        />
      )}
    </>
  );
}

/** The settings form, started from what is saved (mounted once the settings are loaded). */
function SettingsForm({ initial }: { initial: ReminderSettings }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(initial.remindersEnabled);
  const [from, setFrom] = useState(String(initial.windowFromHours));
  const [to, setTo] = useState(String(initial.windowToHours));
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const save = useMutation({
    mutationFn: saveReminderSettings,
    onSuccess: () => {
      setSaved(true);
      return queryClient.invalidateQueries({ queryKey: PRACTICE_SMS_KEY });
    },
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const f = Number(from);
    const t = Number(to);
    const problems: Errors = {};
    if (!Number.isInteger(f) || f < 1 || f > 167) {
      problems.from = 'Enter a whole number of hours from 1 to 167';
    }
    if (!Number.isInteger(t) || t > 168 || t <= f) {
      problems.to = 'Enter a whole number of hours, more than the start and at most 168';
    }
    setErrors(problems);
    setSaved(false);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    save.mutate({ remindersEnabled: enabled, windowFromHours: f, windowToHours: t });
  };

  return (
    <>
      <ErrorSummary errors={errors} ref={summary} />
      <form onSubmit={submit} noValidate aria-labelledby="settings-heading">
        <h2 className="nhsuk-heading-m" id="settings-heading">
          Settings
        </h2>
        <Checkboxes name="enabled" idPrefix="enabled">
          <Checkboxes.Item value="on" checked={enabled} onChange={(e) => setEnabled(e.target.checked)}>
            Text patients a reminder of booked appointments
          </Checkboxes.Item>
        </Checkboxes>
        <TextInput
          id="from"
          label="Send from this many hours before the appointment"
          width={4}
          inputMode="numeric"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          error={errors.from}
        />
        <TextInput
          id="to"
          label="Until this many hours before the appointment"
          hint="Each appointment gets one reminder, when its start is inside this window"
          width={4}
          inputMode="numeric"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          error={errors.to}
        />
        <Button type="submit" disabled={save.isPending}>
          Save settings
        </Button>
      </form>
      {save.error && <ErrorMessage error={save.error} title="The settings were not saved" />}
      <div aria-live="polite">{saved && <Notice title="Reminder settings saved" />}</div>
    </>
  );
}
