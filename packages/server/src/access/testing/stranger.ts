import type { ResourceService } from '../../fhir/store/resource.service.ts';

/** p3's NHS number: a stranger to every scenario user (registered at a practice nobody here works at). */
export const P3_NHS = '9990000050';

export const MH_CONTACT = {
  coding: [{ system: 'https://careweave.example/fhir/CodeSystem/encounter-type', code: 'mh-contact' }],
};

/**
 * What an attacker would like to learn about a stranger: p3's NHS number and a mental-health contact
 * with the mental-health trust (Encounter/{patient}-mh-enc), written as the system. `patients` adds
 * the same contact for other scenario patients.
 */
export async function recordStrangerCare(resources: ResourceService, patients: readonly string[] = []): Promise<void> {
  await resources.update('Patient', 'p3', {
    resourceType: 'Patient',
    id: 'p3',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: P3_NHS }],
    name: [{ family: 'Three' }],
    generalPractitioner: [{ reference: 'Organization/org-gp2' }],
  });
  for (const patient of ['p3', ...patients]) {
    await resources.update('Encounter', `${patient}-mh-enc`, {
      resourceType: 'Encounter',
      id: `${patient}-mh-enc`,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [MH_CONTACT],
      subject: { reference: `Patient/${patient}` },
      serviceProvider: { reference: 'Organization/org-mh' },
    });
  }
}
