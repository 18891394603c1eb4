import { ORGANISATION_TYPE_SYSTEM } from '@careweave/vocabulary';
import type { Resource } from '@medplum/fhirtypes';
import type { Platform } from '../../http/app.ts';
import { hashPassword } from '../passwords.ts';
import { AuthStore } from '../store.ts';

export const PASSWORD = 'correct horse battery staple';
export const NHS_NUMBER = '9990000018';

export interface AuthFixtures {
  store: AuthStore;
  users: { gp: string; nurse: string; patient: string; carer: string; admin: string };
}

/** A small record to sign in against: two organisations, staff, a patient and their carer. */
export async function seedAuthFixtures(platform: Platform): Promise<AuthFixtures> {
  const resources: Resource[] = [
    {
      resourceType: 'Organization',
      id: 'org-practice',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'P99001' }],
      name: 'Test Practice',
      type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'gp-practice' }] }],
    },
    {
      resourceType: 'Organization',
      id: 'org-council',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'C99002' }],
      name: 'Test Council',
      type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'social-care' }] }],
    },
    {
      resourceType: 'Practitioner',
      id: 'prac-gp',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/sds-user-id', value: '555000000001' }],
      name: [{ family: 'Doctor', given: ['Gail'] }],
    },
    {
      resourceType: 'PractitionerRole',
      id: 'prrole-gp',
      practitioner: { reference: 'Practitioner/prac-gp' },
      organization: { reference: 'Organization/org-practice' },
    },
    { resourceType: 'Practitioner', id: 'prac-nurse', name: [{ family: 'Nurse', given: ['Nia'] }] },
    {
      resourceType: 'Patient',
      id: 'pat-1',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: NHS_NUMBER }],
      name: [{ family: 'Patient', given: ['Pat'] }],
      generalPractitioner: [{ reference: 'Organization/org-practice' }],
    },
    {
      resourceType: 'Patient',
      id: 'pat-2',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990000026' }],
      name: [{ family: 'Other', given: ['Olive'] }],
    },
    { resourceType: 'RelatedPerson', id: 'rp-1', patient: { reference: 'Patient/pat-1' }, name: [{ family: 'Carer' }] },
  ];
  await platform.resources.transaction((tx) =>
    tx.writeMany(resources.map((resource) => ({ resource, method: 'update' as const }))),
  );
  const store = new AuthStore(platform.db);
  const passwordHash = await hashPassword(PASSWORD);
  const gp = await store.createUser({
    username: 'gp',
    passwordHash,
    fhirUser: 'Practitioner/prac-gp',
    displayName: 'Dr Gail Doctor',
  });
  await store.addRoleProfile(gp.id, {
    organizationId: 'org-practice',
    roleCode: 'R8000',
    practitionerRoleId: 'prrole-gp',
  });
  await store.addRoleProfile(gp.id, { organizationId: 'org-council', roleCode: 'R8003' });
  const nurse = await store.createUser({ username: 'nurse', passwordHash, fhirUser: 'Practitioner/prac-nurse' });
  await store.addRoleProfile(nurse.id, { organizationId: 'org-practice', roleCode: 'R8001' });
  const patient = await store.createUser({
    username: 'patient',
    passwordHash,
    fhirUser: 'Patient/pat-1',
    nhsNumber: NHS_NUMBER,
  });
  const carer = await store.createUser({ username: 'carer', passwordHash, fhirUser: 'RelatedPerson/rp-1' });
  const admin = await store.createUser({ username: 'admin', passwordHash, isAdmin: true });
  return { store, users: { gp: gp.id, nurse: nurse.id, patient: patient.id, carer: carer.id, admin: admin.id } };
}
