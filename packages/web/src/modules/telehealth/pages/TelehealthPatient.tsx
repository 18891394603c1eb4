import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { idOf, patientQuery, type Alert, type PatientView } from '../dashboard/api.ts';
import { FileSummary } from '../dashboard/FileSummary.tsx';
import { nhsNumberText, responseRate, statusText, when } from '../dashboard/format.ts';
import { LevelTag } from '../dashboard/LevelTag.tsx';
import { TrendChart } from '../dashboard/TrendChart.tsx';

/** One patient's telehealth: each enrolment with engagement, trend charts, alerts and messages. */
export default function TelehealthPatient() {
  const { id = '' } = useParams();
  const view = useQuery(patientQuery(id));
  if (view.status === 'pending') {
    return <Loading what="the patient’s telehealth" />;
  }
  if (view.status === 'error') {
    return <ErrorMessage title="This patient’s telehealth could not be loaded" error={view.error} />;
  }
  const { patient } = view.data;
  return (
    <>
      <PageTitle caption="Telehealth">{patient.name}</PageTitle>
      <p className="nhsuk-body">
        {nhsNumberText(patient)} · <a href={`/patients/${idOf(patient.reference)}`}>Full record</a> ·{' '}
        <a href="/telehealth">Team dashboard</a>
      </p>
      <Plans view={view.data} />
      <h2 className="nhsuk-heading-m">Readings in the last {view.data.days} days</h2>
      {view.data.series.length === 0 ? (
        <Empty>No readings in this period.</Empty>
      ) : (
        view.data.series.map((series) => <TrendChart key={series.measure} series={series} />)
      )}
      <Alerts alerts={view.data.alerts} />
      <Messages messages={view.data.messages} />
    </>
  );
}

function Plans({ view }: { view: PatientView }) {
  return view.plans.map((plan) => (
    <section key={plan.carePlan} aria-labelledby={`plan-${idOf(plan.carePlan)}`}>
      <h2 className="nhsuk-heading-m" id={`plan-${idOf(plan.carePlan)}`}>
        {plan.protocol.title}
      </h2>
      <dl className="nhsuk-summary-list">
        <Row label="Status" value={statusText(plan.status)} />
        <Row label="Enrolled" value={when(plan.startedAt)} />
        <Row label="Replies in the last 30 days" value={responseRate(plan.engagement)} />
        <Row
          label="Last reply"
          value={
            <>
              {when(plan.engagement.lastReplyAt)}{' '}
              {plan.engagement.droppedOff && (
                <strong className="nhsuk-tag nhsuk-tag--orange">Not replied for 7 days</strong>
              )}
            </>
          }
        />
      </dl>
      <FileSummary carePlan={plan.carePlan} protocol={plan.protocol.title} />
    </section>
  ));
}

function Row({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{value}</dd>
    </div>
  );
}

const ALERT_COLUMNS: readonly Column<Alert>[] = [
  { key: 'raised', header: 'Raised', cell: (alert) => when(alert.raisedAt) },
  { key: 'level', header: 'Level', cell: (alert) => <LevelTag level={alert.level} /> },
  { key: 'reason', header: 'Reason', cell: (alert) => alert.reason },
  {
    key: 'status',
    header: 'Status',
    cell: (alert) =>
      alert.status === 'completed' ? 'Closed' : alert.status === 'in-progress' ? 'Acknowledged' : 'New',
  },
];

function Alerts({ alerts }: { alerts: Alert[] }) {
  return (
    <>
      <h2 className="nhsuk-heading-m">Alerts</h2>
      {alerts.length === 0 ? (
        <Empty>No alerts.</Empty>
      ) : (
        <>
          <p className="nhsuk-body">
            <a href="/telehealth/alerts">Work on open alerts</a>
          </p>
          <ResponsiveTable
            caption="Alerts, newest first"
            captionHidden
            columns={ALERT_COLUMNS}
            rows={alerts}
            rowKey={(a) => a.id}
          />
        </>
      )}
    </>
  );
}

type Message = PatientView['messages'][number];
const MESSAGE_COLUMNS: readonly Column<Message>[] = [
  { key: 'when', header: 'When', cell: (message) => when(message.at) },
  { key: 'from', header: 'From', cell: (message) => (message.direction === 'in' ? 'Patient' : 'CareWeave') },
  { key: 'text', header: 'Message', cell: (message) => message.text },
];

function Messages({ messages }: { messages: Message[] }) {
  return (
    <>
      <h2 className="nhsuk-heading-m">Text messages</h2>
      {messages.length === 0 ? (
        <Empty>No text messages recorded.</Empty>
      ) : (
        <ResponsiveTable
          caption="Text messages, newest first"
          captionHidden
          columns={MESSAGE_COLUMNS}
          rows={messages}
          rowKey={(message, index) => `${message.at}-${index}`}
        />
      )}
    </>
  );
}
