import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Select } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import { RBAC_ROLE_NAMES } from '../../../lib/roles.ts';
import {
  accountKind,
  addRole,
  byId,
  listOrganisations,
  listUsers,
  lockUser,
  newPassword,
  roleLines,
  unlockUser,
  type AdminOrganisation,
  type AdminUser,
} from '../api.ts';
import { OneTimePassword } from '../OneTimePassword.tsx';
import { StatusTag } from '../StatusTag.tsx';

/** One account: who it is, its roles (and adding one), locking and unlocking, a new password. */
export default function User() {
  const { username = '' } = useParams();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: listUsers });
  const organisations = useQuery({ queryKey: ['admin', 'organisations'], queryFn: listOrganisations });
  const user = users.data?.find((u) => u.username === username);
  return (
    <>
      <p className="nhsuk-body-s">
        <Link to="/admin/users">All users</Link>
      </p>
      <QueryStatus query={users} what="the account" />
      {users.data && !user && (
        <>
          <PageTitle>No such account</PageTitle>
          <p className="nhsuk-body">There is no account with the username {username}.</p>
        </>
      )}
      {user && <Account user={user} organisations={organisations.data ?? []} />}
    </>
  );
}

function Account({ user, organisations }: { user: AdminUser; organisations: AdminOrganisation[] }) {
  const kind = accountKind(user);
  const names = byId(organisations);
  return (
    <>
      <PageTitle caption={kind}>{user.displayName ?? user.username}</PageTitle>
      <dl className="nhsuk-summary-list">
        <Row label="Username">{user.username}</Row>
        <Row label="E-mail">{user.email ?? 'Not given'}</Row>
        {user.fhirUser && <Row label="In the record">{user.fhirUser}</Row>}
        {user.nhsNumber && <Row label="NHS number">{formatNhsNumber(user.nhsNumber)}</Row>}
        <Row label="Status">
          <StatusTag user={user} />
        </Row>
        <Row label="Password">{user.passwordSet ? 'Set' : 'None: signs in with NHS login or a smartcard'}</Row>
      </dl>
      {kind === 'Staff' && <Roles user={user} organisations={organisations} names={names} />}
      <Lock user={user} />
      <Password user={user} />
    </>
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

function useAccountChange<T>(change: (username: string) => Promise<T>) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

function Roles({
  user,
  organisations,
  names,
}: {
  user: AdminUser;
  organisations: AdminOrganisation[];
  names: Map<string, AdminOrganisation>;
}) {
  const [organisation, setOrganisation] = useState('');
  const [role, setRole] = useState('');
  const [problems, setProblems] = useState<{ organisation?: string; role?: string }>({});
  const add = useAccountChange((username: string) => addRole(username, { organization: organisation, role }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = {
      ...(organisation ? {} : { organisation: 'Choose the organisation they work for' }),
      ...(role ? {} : { role: 'Choose their role there' }),
    };
    setProblems(found);
    if (!found.organisation && !found.role) {
      add.mutate(user.username);
    }
  };
  const lines = roleLines(user, names);
  return (
    <section aria-labelledby="roles-heading">
      <h2 className="nhsuk-heading-m" id="roles-heading">
        Roles
      </h2>
      {lines.length === 0 ? (
        <p className="nhsuk-body">No roles yet: they can sign in but see no one’s record until they have one.</p>
      ) : (
        <ul className="nhsuk-list nhsuk-list--bullet">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <p className="nhsuk-body-s">Someone with several roles chooses one each time they sign in.</p>
      <ErrorSummary
        id="role-errors"
        errors={{ 'role-organisation': problems.organisation, 'role-code': problems.role }}
        focusOnShow
      />
      {add.error && <ErrorMessage title="The role was not added" error={add.error} />}
      {add.isSuccess && <Notice title="Role added" />}
      <form onSubmit={submit} noValidate aria-label="Add a role">
        <h3 className="nhsuk-heading-s">Add a role</h3>
        <Select
          id="role-organisation"
          label="Organisation"
          value={organisation}
          error={problems.organisation}
          onChange={setOrganisation}
          options={[...organisations]
            .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
            .map((o) => ({ value: o.id, label: `${o.name ?? o.id}${o.ods ? ` (${o.ods})` : ''}` }))}
        />
        <Select
          id="role-code"
          label="Role (national RBAC)"
          value={role}
          error={problems.role}
          onChange={setRole}
          options={Object.entries(RBAC_ROLE_NAMES).map(([code, name]) => ({ value: code, label: `${name} (${code})` }))}
        />
        <Button type="submit" secondary disabled={add.isPending}>
          Add role
        </Button>
      </form>
    </section>
  );
}

function Lock({ user }: { user: AdminUser }) {
  const lock = useAccountChange(lockUser);
  const unlock = useAccountChange(unlockUser);
  const locked = user.status !== 'active';
  const error = lock.error ?? unlock.error;
  return (
    <section aria-labelledby="lock-heading">
      <h2 className="nhsuk-heading-m" id="lock-heading">
        {locked ? 'Unlock this account' : 'Lock this account'}
      </h2>
      <p className="nhsuk-body">
        {locked
          ? 'They can sign in again at once (failed sign-in attempts are forgotten).'
          : 'They cannot sign in, and their apps get no new access, until the account is unlocked. Do this when someone leaves or a password may be known to others.'}
      </p>
      {error && <ErrorMessage error={error} />}
      <Button
        secondary={locked}
        warning={!locked}
        disabled={lock.isPending || unlock.isPending}
        onClick={() => (locked ? unlock : lock).mutate(user.username)}
      >
        {locked ? 'Unlock account' : 'Lock account'}
      </Button>
    </section>
  );
}

function Password({ user }: { user: AdminUser }) {
  const reset = useAccountChange(newPassword);
  return (
    <section aria-labelledby="password-heading">
      <h2 className="nhsuk-heading-m" id="password-heading">
        Set a new password
      </h2>
      <p className="nhsuk-body">A new one-time password replaces the old one at once.</p>
      {reset.error && <ErrorMessage error={reset.error} />}
      {reset.data?.password ? (
        <OneTimePassword username={user.username} password={reset.data.password} />
      ) : (
        <Button secondary disabled={reset.isPending} onClick={() => reset.mutate(user.username)}>
          Make a new password
        </Button>
      )}
    </section>
  );
}
