import type { Organization } from '@medplum/fhirtypes';
import {
  DATA_CATEGORIES,
  ORGANISATION_TYPE_SYSTEM,
  SENSITIVE_CATEGORIES,
  type OrganisationType,
  type StaffActor,
} from '../access/actor.ts';
import type { AccessModule } from '../access/index.ts';
import type { Database } from '../db/database.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';

/** What the demo agreement needs of the platform (narrow, so that this file does not depend on http/app.ts). */
interface DemoPlatform {
  db: Database;
  resources: ResourceService;
  access: Pick<AccessModule, 'agreements'>;
}

/** The NHS and council organisations that share for direct care in the demo economy. */
const SHARING_TYPES: readonly OrganisationType[] = [
  'gp-practice',
  'acute-trust',
  'community',
  'mental-health',
  'social-care',
  'ambulance',
];

/**
 * A demo West Lancashire direct-care information-sharing agreement between every NHS provider and
 * the council, covering the non-sensitive categories, signed by each party's privacy officer —
 * without one, clinicians would see nothing recorded by another organisation. Created once.
 */
export async function ensureDemoAgreement(platform: DemoPlatform): Promise<boolean> {
  const claimed = await platform.db.query(
    `insert into platform_state (key, value) values ('demo-agreement', '{}'::jsonb) on conflict (key) do nothing returning key`,
  );
  if (claimed.length === 0) {
    return false;
  }
  const bundle = await platform.resources.search('Organization', [['_count', '1000']]);
  const parties: { id: string; type: OrganisationType }[] = [];
  for (const entry of bundle.entry ?? []) {
    const org = entry.resource as Organization | undefined;
    const type = org?.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === ORGANISATION_TYPE_SYSTEM)?.code;
    if (org?.id && type && SHARING_TYPES.includes(type as OrganisationType)) {
      parties.push({ id: org.id, type: type as OrganisationType });
    }
  }
  if (parties.length < 2) {
    return false;
  }
  const officer = (party: { id: string; type: OrganisationType }): StaffActor => ({
    kind: 'staff',
    userId: `demo-setup-${party.id}`,
    practitionerId: 'demo-setup',
    organizationId: party.id,
    organizationType: party.type,
    roleCode: 'R0001',
    scopes: ['user/*.cruds'],
  });
  const ids = parties.map((p) => p.id);
  const agreement = await platform.access.agreements.create(officer(parties[0]!), {
    title: 'West Lancashire direct care information sharing agreement (demo)',
    purposes: ['direct-care'],
    lawfulBasis:
      'UK GDPR Art. 6(1)(e) and 9(2)(h); common law duty of confidentiality: implied consent for direct care',
    validFrom: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    validTo: null,
    providers: ids,
    recipients: ids,
    recipientRoles: [],
    categories: DATA_CATEGORIES.filter((c) => !SENSITIVE_CATEGORIES.includes(c)),
  });
  for (const party of parties) {
    await platform.access.agreements.sign(officer(party), agreement.id);
  }
  return true;
}
