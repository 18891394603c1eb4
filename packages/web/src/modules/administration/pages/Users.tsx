import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { Empty } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import {
  ACCOUNT_KINDS,
  accountKind,
  byId,
  filterUsers,
  listOrganisations,
  listUsers,
  roleLines,
  type AdminUser,
  type UserFilter,
} from '../api.ts';
import { StatusTag } from '../StatusTag.tsx';

/** Every account, filtered by name, kind and status (kept in the address), each opening its own page. */
export default function Users() {
  const [params, setParams] = useSearchParams();
  const filter = readFilter(params);
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: listUsers });
  const organisations = useQuery({ queryKey: ['admin', 'organisations'], queryFn: listOrganisations });
  const names = byId(organisations.data ?? []);
  const setFilter = (next: UserFilter) => setParams(writeFilter(next), { replace: true });
  const shown = users.data ? filterUsers(users.data, filter) : [];
  return (
    <>
      <PageTitle>Users</PageTitle>
      <p className="nhsuk-body">
        <Link className="nhsuk-button nhsuk-u-margin-bottom-0" to="/admin/users/new">
          Add a user
        </Link>
      </p>
      <form className="cw-filters" role="search" aria-label="Filter users" onSubmit={(e) => e.preventDefault()}>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="users-text">
            Name, username, e-mail or NHS number
          </label>
          <input
            className="nhsuk-input nhsuk-input--width-20"
            id="users-text"
            type="search"
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
          />
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="users-kind">
            Account
          </label>
          <select
            className="nhsuk-select"
            id="users-kind"
            value={filter.kind}
            onChange={(e) => setFilter({ ...filter, kind: e.target.value as UserFilter['kind'] })}
          >
            <option value="">All accounts</option>
            {ACCOUNT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </div>
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="users-status">
            Status
          </label>
          <select
            className="nhsuk-select"
            id="users-status"
            value={filter.status}
            onChange={(e) => setFilter({ ...filter, status: e.target.value as UserFilter['status'] })}
          >
            <option value="">Any status</option>
            <option value="active">Active</option>
            <option value="locked">Locked</option>
          </select>
        </div>
      </form>
      <QueryStatus query={users} what="users" />
      {users.data && (
        <>
          <p className="nhsuk-body-s" role="status">
            Showing {shown.length} of {users.data.length} accounts.
          </p>
          {shown.length === 0 ? (
            <Empty>No accounts match these filters.</Empty>
          ) : (
            <ResponsiveTable<AdminUser>
              caption="Accounts, by name"
              rows={shown}
              rowKey={(u) => u.id}
              columns={[
                {
                  key: 'name',
                  header: 'Name',
                  cell: (u) => (
                    <Link to={`/admin/users/${encodeURIComponent(u.username)}`}>{u.displayName ?? u.username}</Link>
                  ),
                },
                { key: 'username', header: 'Username', cell: (u) => u.username },
                { key: 'kind', header: 'Account', cell: accountKind },
                {
                  key: 'roles',
                  header: 'Roles',
                  cell: (u) => roleLines(u, names).join('; ') || (accountKind(u) === 'Staff' ? 'No role yet' : ''),
                },
                { key: 'status', header: 'Status', cell: (u) => <StatusTag user={u} /> },
              ]}
            />
          )}
        </>
      )}
    </>
  );
}

function readFilter(params: URLSearchParams): UserFilter {
  const kind = params.get('kind') ?? '';
  const status = params.get('status') ?? '';
  return {
    text: params.get('q') ?? '',
    kind: (ACCOUNT_KINDS as readonly string[]).includes(kind) ? (kind as UserFilter['kind']) : '',
    status: status === 'active' || status === 'locked' ? status : '',
  };
}

function writeFilter(filter: UserFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.text) {
    params.set('q', filter.text);
  }
  if (filter.kind) {
    params.set('kind', filter.kind);
  }
  if (filter.status) {
    params.set('status', filter.status);
  }
  return params;
}
