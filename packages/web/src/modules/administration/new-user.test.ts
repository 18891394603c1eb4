import { describe, expect, it } from 'vitest';
import { EMPTY_NEW_USER, readNewUser } from './new-user.ts';

describe('the new-user form', () => {
  it('names every missing answer', () => {
    expect(readNewUser(EMPTY_NEW_USER)).toEqual({
      problems: {
        username: 'Enter a username',
        displayName: 'Enter the person’s name as it should appear to others',
        kind: 'Choose what kind of account this is',
        password: 'Choose how they will sign in',
      },
    });
  });

  it('asks staff for their practitioner and patients for a valid NHS number', () => {
    const base = { ...EMPTY_NEW_USER, username: 'j.bloggs', displayName: 'Jo Bloggs', password: 'generate' as const };
    expect(readNewUser({ ...base, kind: 'staff' })).toEqual({
      problems: { recordId: 'Enter the id of the practitioner in the record' },
    });
    expect(readNewUser({ ...base, kind: 'patient', nhsNumber: '943 476 5918' })).toMatchObject({
      problems: { nhsNumber: expect.stringMatching(/last digit/) },
    });
    expect(readNewUser({ ...base, kind: 'patient', nhsNumber: '943 476 5919' })).toEqual({
      user: { username: 'j.bloggs', displayName: 'Jo Bloggs', nhsNumber: '9434765919', generatePassword: true },
    });
  });

  it('builds the request the admin API takes for each kind of account', () => {
    const base = { ...EMPTY_NEW_USER, username: ' a.nurse ', displayName: 'A Nurse', email: 'a@nhs.net' };
    expect(readNewUser({ ...base, kind: 'staff', recordId: 'prac-1', password: 'none' })).toEqual({
      user: {
        username: 'a.nurse',
        displayName: 'A Nurse',
        email: 'a@nhs.net',
        practitioner: 'prac-1',
        generatePassword: false,
      },
    });
    expect(readNewUser({ ...base, kind: 'carer', recordId: 'rp-1', password: 'generate' })).toMatchObject({
      user: { relatedPerson: 'rp-1', generatePassword: true },
    });
    expect(readNewUser({ ...base, kind: 'admin', password: 'generate' })).toMatchObject({ user: { admin: true } });
    expect(readNewUser({ ...base, email: 'not-an-address', kind: 'admin', password: 'generate' })).toMatchObject({
      problems: { email: expect.stringMatching(/right format/) },
    });
  });
});
