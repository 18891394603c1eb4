import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { CONNECTED_APPS_KEY, listConnectedApps, stopApp, type ConnectedApp } from '../api.ts';

/** The apps the signed-in person has allowed, each with what it may do and a button that stops it. */
export default function ConnectedApps() {
  const queryClient = useQueryClient();
  const [stopped, setStopped] = useState<string | undefined>();
  const apps = useQuery({ queryKey: CONNECTED_APPS_KEY, queryFn: listConnectedApps });
  const stop = useMutation({
    mutationFn: (app: ConnectedApp) => stopApp(app.clientId),
    onSuccess: async (_result, app) => {
      setStopped(app.name);
      await queryClient.invalidateQueries({ queryKey: CONNECTED_APPS_KEY });
    },
  });
  return (
    <>
      <PageTitle>Connected apps</PageTitle>
      <p className="nhsuk-body">
        Apps made by other companies that you have allowed to use your health record. Stop an app and it can no longer
        read or change anything; it keeps what it has already copied, so ask its makers to delete that.
      </p>
      {stopped && (
        <Notice title="App stopped">
          <p className="nhsuk-body">{stopped} can no longer use your health record.</p>
        </Notice>
      )}
      {stop.error && <ErrorMessage error={stop.error} title="The app could not be stopped" />}
      {apps.isPending && <Loading what="your connected apps" />}
      {apps.error && <ErrorMessage error={apps.error} onRetry={() => void apps.refetch()} />}
      {apps.data?.length === 0 && <Empty>You have not allowed any apps to use your health record.</Empty>}
      {apps.data?.map((app) => (
        <section className="nhsuk-card" key={app.clientId} aria-labelledby={`app-${app.clientId}`}>
          <div className="nhsuk-card__content">
            <h2 className="nhsuk-card__heading nhsuk-heading-m" id={`app-${app.clientId}`}>
              {app.name}
            </h2>
            <p className="nhsuk-body-s">Allowed on {formatDate(app.grantedAt)}. It can:</p>
            <ul className="nhsuk-list nhsuk-list--bullet">
              {app.allowed.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            <button
              type="button"
              className="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0"
              disabled={stop.isPending}
              onClick={() => stop.mutate(app)}
            >
              Stop {app.name}
            </button>
          </div>
        </section>
      ))}
    </>
  );
}
