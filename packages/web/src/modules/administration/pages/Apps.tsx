import { useQuery } from '@tanstack/react-query';
import { Empty } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { listApps, listClients, type AdminApp, type AdminClient } from '../api.ts';

const PURPOSES: Record<string, string> = {
  'direct-care': 'Direct care',
  planning: 'Planning (honours the National Data Opt-out)',
  research: 'Research (honours the National Data Opt-out)',
};

const authentication = (method: string): string =>
  method === 'none'
    ? 'Public (no secret)'
    : method === 'private_key_jwt'
      ? 'Signed with its own key'
      : method.startsWith('client_secret')
        ? 'Secret'
        : method || 'Not given';

/**
 * Third-party SMART apps (people authorise them at sign-in) and systems that connect with their own
 * credentials (SMART Backend Services). Registering is done with `careweave apps register` or the
 * admin API (docs/AUTH.md); this page is the administrator's view of what can reach the record.
 */
export default function Apps() {
  const apps = useQuery({ queryKey: ['admin', 'apps'], queryFn: listApps });
  const clients = useQuery({ queryKey: ['admin', 'clients'], queryFn: listClients });
  return (
    <>
      <PageTitle>Apps and systems</PageTitle>
      <p className="nhsuk-body">
        Register an app with <code>careweave apps register</code> or the admin API (see the administrator’s guide).
      </p>
      <section aria-labelledby="apps-heading">
        <h2 className="nhsuk-heading-m" id="apps-heading">
          SMART apps
        </h2>
        <QueryStatus query={apps} what="apps" />
        {apps.data &&
          (apps.data.length === 0 ? (
            <Empty>No third-party apps are registered.</Empty>
          ) : (
            <ResponsiveTable<AdminApp>
              caption="Apps people can allow to use their record"
              rows={apps.data}
              rowKey={(a) => a.clientId}
              columns={[
                { key: 'name', header: 'App', cell: (a) => a.name, rowHeader: true },
                { key: 'id', header: 'Client id', cell: (a) => <code>{a.clientId}</code> },
                { key: 'auth', header: 'Sign-in', cell: (a) => authentication(a.authentication) },
                { key: 'scopes', header: 'May ask for', cell: (a) => a.scopes },
                {
                  key: 'registered',
                  header: 'Registered',
                  cell: (a) =>
                    `${formatDateTime(a.createdAt)} ${a.registeredBy === 'dynamic' ? 'by the app itself' : 'by an administrator'}${a.disabled ? ' (disabled)' : ''}`,
                },
              ]}
            />
          ))}
      </section>
      <section aria-labelledby="clients-heading">
        <h2 className="nhsuk-heading-m" id="clients-heading">
          Connected systems
        </h2>
        <QueryStatus query={clients} what="connected systems" />
        {clients.data &&
          (clients.data.length === 0 ? (
            <Empty>No systems are registered.</Empty>
          ) : (
            <ResponsiveTable<AdminClient>
              caption="Systems that connect with their own credentials"
              rows={clients.data}
              rowKey={(c) => c.clientId}
              columns={[
                { key: 'id', header: 'System', cell: (c) => c.description ?? c.clientId, rowHeader: true },
                { key: 'client', header: 'Client id', cell: (c) => <code>{c.clientId}</code> },
                { key: 'purpose', header: 'Purpose', cell: (c) => PURPOSES[c.purpose] ?? c.purpose },
                { key: 'scopes', header: 'Scopes', cell: (c) => c.scopes },
                {
                  key: 'state',
                  header: 'State',
                  cell: (c) =>
                    [c.disabled ? 'Disabled' : 'Active', c.admin ? 'administrator' : ''].filter(Boolean).join(', '),
                },
              ]}
            />
          ))}
      </section>
    </>
  );
}
