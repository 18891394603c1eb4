import { checkNhsNumber } from '../../lib/nhs-number.ts';
import type { NewUser } from './api.ts';

/** The new-user form as typed. */
export interface NewUserForm {
  username: string;
  displayName: string;
  email: string;
  kind: '' | 'staff' | 'patient' | 'carer' | 'admin';
  /** The Practitioner (staff), or the RelatedPerson (carer), the account signs in as. */
  recordId: string;
  nhsNumber: string;
  password: '' | 'generate' | 'none';
}

export const EMPTY_NEW_USER: NewUserForm = {
  username: '',
  displayName: '',
  email: '',
  kind: '',
  recordId: '',
  nhsNumber: '',
  password: '',
};

export type NewUserProblems = Partial<
  Record<'username' | 'displayName' | 'email' | 'kind' | 'recordId' | 'nhsNumber' | 'password', string>
>;

const RECORD_ID = /^[A-Za-z0-9.-]{1,64}$/;

/**
 * Checks the form as the server would, in words the administrator can act on, and builds the
 * admin API's request. The server checks again (and whether the record exists).
 */
export function readNewUser(form: NewUserForm): { user: NewUser } | { problems: NewUserProblems } {
  const problems: NewUserProblems = {};
  const username = form.username.trim();
  if (!username) {
    problems.username = 'Enter a username';
  } else if (!/^[A-Za-z0-9._@-]{3,100}$/.test(username)) {
    problems.username = 'A username has 3 to 100 letters, digits, full stops, underscores, @ or hyphens';
  }
  if (!form.displayName.trim()) {
    problems.displayName = 'Enter the person’s name as it should appear to others';
  }
  if (form.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) {
    problems.email = 'Enter an e-mail address in the right format, like name@example.nhs.uk';
  }
  if (!form.kind) {
    problems.kind = 'Choose what kind of account this is';
  }
  const recordId = form.recordId.trim();
  if ((form.kind === 'staff' || form.kind === 'carer') && !RECORD_ID.test(recordId)) {
    problems.recordId = recordId
      ? 'A record id has up to 64 letters, digits, full stops and hyphens'
      : `Enter the id of the ${form.kind === 'staff' ? 'practitioner' : 'carer'} in the record`;
  }
  let nhsNumber: string | undefined;
  if (form.kind === 'patient') {
    const checked = checkNhsNumber(form.nhsNumber);
    if (checked.valid) {
      nhsNumber = checked.value;
    } else {
      problems.nhsNumber = checked.error;
    }
  }
  if (!form.password) {
    problems.password = 'Choose how they will sign in';
  }
  if (Object.keys(problems).length) {
    return { problems };
  }
  return {
    user: {
      username,
      displayName: form.displayName.trim(),
      ...(form.email.trim() ? { email: form.email.trim() } : {}),
      ...(form.kind === 'staff' ? { practitioner: recordId } : {}),
      ...(form.kind === 'carer' ? { relatedPerson: recordId } : {}),
      ...(nhsNumber ? { nhsNumber } : {}),
      ...(form.kind === 'admin' ? { admin: true } : {}),
      generatePassword: form.password === 'generate',
    },
  };
}
