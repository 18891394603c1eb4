import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Radios, TextInput } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { createUser } from '../api.ts';
import { EMPTY_NEW_USER, readNewUser, type NewUserForm, type NewUserProblems } from '../new-user.ts';
import { OneTimePassword } from '../OneTimePassword.tsx';

const KINDS = [
  { value: 'staff', label: 'Member of staff', hint: 'Signs in as a practitioner in the record; give them roles next.' },
  { value: 'patient', label: 'Patient', hint: 'Sees their own record in the portal.' },
  { value: 'carer', label: 'Carer', hint: 'Acts for the person they care for, as that person allowed.' },
  { value: 'admin', label: 'Administrator', hint: 'Looks after accounts and apps; sees no health records.' },
];

const PASSWORDS = [
  { value: 'generate', label: 'Make a one-time password now', hint: 'Shown once, on the next page.' },
  { value: 'none', label: 'No password', hint: 'They sign in with NHS login or an NHS smartcard only.' },
];

/** Adds an account: who it is in the record, and how they first sign in. */
export default function NewUser() {
  const [form, setForm] = useState<NewUserForm>(EMPTY_NEW_USER);
  const [problems, setProblems] = useState<NewUserProblems>({});
  const summary = useRef<HTMLDivElement>(null);
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: createUser,
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
  const set = (field: keyof NewUserForm) => (value: string) => setForm({ ...form, [field]: value });

  if (create.data) {
    const { user, password } = create.data;
    return (
      <>
        <PageTitle>Account added</PageTitle>
        <Notice title={`${user.displayName ?? user.username} can now sign in as ${user.username}`} />
        {password && <OneTimePassword username={user.username} password={password} />}
        <p className="nhsuk-body">
          <Link to={`/admin/users/${encodeURIComponent(user.username)}`}>
            {user.fhirUser?.startsWith('Practitioner/') ? 'Give them a role' : 'See the account'}
          </Link>
        </p>
      </>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const read = readNewUser(form);
    if ('problems' in read) {
      setProblems(read.problems);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setProblems({});
    create.mutate(read.user);
  };

  return (
    <>
      <PageTitle>Add a user</PageTitle>
      <ErrorSummary
        ref={summary}
        errors={{
          username: problems.username,
          displayName: problems.displayName,
          email: problems.email,
          'kind-staff': problems.kind,
          recordId: problems.recordId,
          nhsNumber: problems.nhsNumber,
          'password-generate': problems.password,
        }}
      />
      {create.error && <ErrorMessage title="The account was not added" error={create.error} />}
      <form onSubmit={submit} noValidate>
        <TextInput
          id="username"
          label="Username"
          hint="What they type to sign in."
          value={form.username}
          error={problems.username}
          onChange={set('username')}
          width="20"
        />
        <TextInput
          id="displayName"
          label="Full name"
          value={form.displayName}
          error={problems.displayName}
          onChange={set('displayName')}
          width="30"
        />
        <TextInput
          id="email"
          label="E-mail address (optional)"
          value={form.email}
          error={problems.email}
          onChange={set('email')}
          width="30"
        />
        <Radios
          name="kind"
          label="What kind of account is this?"
          options={KINDS}
          value={form.kind}
          error={problems.kind}
          onChange={set('kind')}
        />
        {(form.kind === 'staff' || form.kind === 'carer') && (
          <TextInput
            id="recordId"
            label={form.kind === 'staff' ? 'Practitioner id in the record' : 'Carer (RelatedPerson) id in the record'}
            hint="From the workforce list or the record team, for example prac-000123."
            value={form.recordId}
            error={problems.recordId}
            onChange={set('recordId')}
            width="20"
          />
        )}
        {form.kind === 'patient' && (
          <TextInput
            id="nhsNumber"
            label="NHS number"
            hint="For example, 485 777 3456."
            value={form.nhsNumber}
            error={problems.nhsNumber}
            onChange={set('nhsNumber')}
            width="10"
          />
        )}
        <Radios
          name="password"
          label="How will they sign in?"
          options={PASSWORDS}
          value={form.password}
          error={problems.password}
          onChange={set('password')}
        />
        <Button type="submit" disabled={create.isPending}>
          Add user
        </Button>
      </form>
    </>
  );
}
