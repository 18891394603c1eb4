import type { Organization } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { PHARMACY_TYPE } from './pharmacy.ts';

const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

/** Demo community pharmacies in West Lancashire (plausible names and ODS-style codes, not real ones). */
const PHARMACIES: readonly { ods: string; name: string; line: string; city: string; postalCode: string }[] = [
  { ods: 'FW101', name: 'Moor Street Pharmacy', line: '3 Moor Street', city: 'Ormskirk', postalCode: 'L39 2AQ' },
  { ods: 'FW102', name: 'Aughton Village Chemist', line: '48 Town Green Lane', city: 'Aughton', postalCode: 'L39 6SF' },
  {
    ods: 'FW103',
    name: 'Burscough Pharmacy',
    line: '12 Liverpool Road North',
    city: 'Burscough',
    postalCode: 'L40 5TN',
  },
  {
    ods: 'FW104',
    name: 'Concourse Pharmacy',
    line: 'Unit 9, The Concourse',
    city: 'Skelmersdale',
    postalCode: 'WN8 6LJ',
  },
  { ods: 'FW105', name: 'Digmoor Pharmacy', line: '2 Digmoor Parade', city: 'Skelmersdale', postalCode: 'WN8 9NE' },
  { ods: 'FW106', name: 'Scarisbrick Pharmacy', line: '80 Southport Road', city: 'Scarisbrick', postalCode: 'L40 8HQ' },
];

/** The demo pharmacies as directory Organizations (ids `org-pharm-{ods}`). */
export function demoPharmacies(): Organization[] {
  return PHARMACIES.map((p, i) => ({
    resourceType: 'Organization',
    id: `org-pharm-${p.ods.toLowerCase()}`,
    identifier: [{ system: ODS_SYSTEM, value: p.ods }],
    active: true,
    type: [{ coding: [{ ...PHARMACY_TYPE }] }],
    name: p.name,
    telecom: [{ system: 'phone', value: `01632 96${String(i + 10).padStart(4, '0')}`, use: 'work' }],
    address: [
      {
        use: 'work',
        type: 'physical',
        line: [p.line],
        city: p.city,
        district: 'Lancashire',
        postalCode: p.postalCode,
        country: 'GB',
      },
    ],
  }));
}

/**
 * Writes the demo pharmacies unless the directory has them already (idempotent; the directory may
 * have pharmacies of its own from an import, which are kept). Returns how many were written.
 */
export async function seedPharmacies(service: ResourceService): Promise<number> {
  const pharmacies = demoPharmacies();
  const existing = await service.search('Organization', [
    ['_id', pharmacies.map((p) => p.id).join(',')],
    ['_summary', 'count'],
  ]);
  if ((existing.total ?? 0) > 0) {
    return 0;
  }
  await service.transaction((tx) =>
    tx.writeMany(pharmacies.map((resource) => ({ resource, method: 'update' as const }))),
  );
  return pharmacies.length;
}
