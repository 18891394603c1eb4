import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { AlertActions } from '../dashboard/AlertActions.tsx';
import { alertsQuery, idOf, type Alert } from '../dashboard/api.ts';
import { nhsNumberText, when } from '../dashboard/format.ts';
import { LevelTag } from '../dashboard/LevelTag.tsx';

/** The alert inbox: open telehealth alerts, newest first, each with what can be done about it. */
export default function Alerts() {
  const alerts = useQuery(alertsQuery);
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      <PageTitle caption="Telehealth">Alerts</PageTitle>
      <p className="nhsuk-body">
        Open alerts from patients’ readings, newest first. <a href="/telehealth">Back to the team dashboard</a>
      </p>
      {done && <Notice title={done} />}
      {alerts.status === 'pending' && <Loading what="alerts" />}
      {alerts.status === 'error' && (
        <ErrorMessage title="Alerts could not be loaded" error={alerts.error} onRetry={() => void alerts.refetch()} />
      )}
      {alerts.status === 'success' &&
        (alerts.data.alerts.length === 0 ? (
          <Empty>There are no open alerts.</Empty>
        ) : (
          <ul className="nhsuk-list">
            {alerts.data.alerts.map((alert) => (
              <AlertCard
                key={alert.id}
                alert={alert}
                onDone={(message) => {
                  setDone(message);
                  window.scrollTo(0, 0);
                }}
              />
            ))}
          </ul>
        ))}
    </>
  );
}

function statusText(alert: Alert): string {
  return alert.status === 'requested' ? 'New: nobody has acknowledged it yet' : 'Acknowledged, being dealt with';
}

function AlertCard({ alert, onDone }: { alert: Alert; onDone: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const headingId = `alert-${alert.id}`;
  return (
    <li className="nhsuk-card" aria-labelledby={headingId}>
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-s" id={headingId}>
          <LevelTag level={alert.level} />{' '}
          <a href={`/telehealth/patients/${idOf(alert.patient.reference)}`}>{alert.patient.name}</a>
        </h2>
        <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
          {nhsNumberText(alert.patient)}
          {alert.patient.nhsNumber ? ' · ' : ''}Raised {when(alert.raisedAt)}
        </p>
        <p className="nhsuk-body nhsuk-u-margin-bottom-2">{alert.reason}</p>
        <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">{statusText(alert)}</p>
        {alert.notes.length > 0 && (
          <ul className="nhsuk-list nhsuk-list--bullet nhsuk-body-s">
            {alert.notes.map((note, index) => (
              <li key={index}>
                {note.text}
                {note.time ? ` (${when(note.time)})` : ''}
              </li>
            ))}
          </ul>
        )}
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide actions' : 'Review alert'}
          <span className="nhsuk-u-visually-hidden"> for {alert.patient.name}</span>
        </button>
        {open && <AlertActions alert={alert} onDone={onDone} />}
      </div>
    </li>
  );
}
