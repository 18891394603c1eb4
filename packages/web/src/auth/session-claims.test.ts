import { describe, expect, it } from 'vitest';
import { sessionFromClaims } from './session.ts';

describe('sessionFromClaims', () => {
  it('an administrator who is no one in the record gets the administration session', () => {
    expect(sessionFromClaims({ admin: true, name: 'CareWeave administrator', actor: 'none' })).toEqual({
      kind: 'admin',
      name: 'CareWeave administrator',
      mode: 'oidc',
    });
  });

  it('staff stay staff (their role chosen at sign-in), whatever else the token says', () => {
    const session = sessionFromClaims({
      admin: true,
      fhirUser: 'https://cw.example/fhir/R4/Practitioner/prac-1',
      role_profile: { organization: 'Organization/org-1', role: 'R8000' },
      name: 'Dr A',
    });
    expect(session).toMatchObject({
      kind: 'staff',
      practitionerId: 'prac-1',
      organizationId: 'org-1',
      roleCode: 'R8000',
    });
  });

  it('a token with no person and no admin claim is not an administrator', () => {
    expect(sessionFromClaims({ actor: 'none' }).kind).toBe('staff');
  });
});
