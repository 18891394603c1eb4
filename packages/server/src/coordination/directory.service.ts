/**
 * What the hub's forms offer: the organisations tasks can be assigned to and the single point of
 * access's staff who can coordinate a case (public directory data, read through the caller's view).
 */
import type { Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import { ORGANISATION_TYPE_SYSTEM } from '../access/actor.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { codeOf, entries, ROLES } from './fhir.ts';
import type { CoordinationSettings } from './settings.ts';

/** Organisation types that take part in care coordination. */
const PARTNERS = [
  'gp-practice',
  'community',
  'social-care',
  'voluntary-sector',
  'ambulance',
  'acute-trust',
  'mental-health',
];

export interface DirectoryOptions {
  spaOrganization: string;
  roles: { code: string; display: string }[];
  organizations: { id: string; name: string; type?: string }[];
  coordinators: { id: string; name: string }[];
}

export class DirectoryService {
  private readonly context: ModuleContext<CoordinationSettings>;

  constructor(context: ModuleContext<CoordinationSettings>) {
    this.context = context;
  }

  async options(actor: Actor | undefined): Promise<DirectoryOptions> {
    const staff = requireStaff(actor, { doing: 'use the coordination hub' });
    const record = this.context.recordAs(staff);
    const spa = this.context.settings.SPA_ORGANIZATION;
    const orgs = entries<Organization>(await record.search('Organization', [['_count', '500']]))
      .map((o) => ({ id: o.id!, name: o.name ?? o.id!, type: codeOf(o.type, ORGANISATION_TYPE_SYSTEM) }))
      .filter((o) => !o.type || PARTNERS.includes(o.type))
      .sort((a, b) => a.name.localeCompare(b.name));
    const roles = await record.search('PractitionerRole', [
      ['organization', `Organization/${spa}`],
      ['_include', 'PractitionerRole:practitioner'],
      ['_count', '200'],
    ]);
    const people = (roles.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is Practitioner => r?.resourceType === 'Practitioner');
    const active = new Set(
      entries<PractitionerRole>(roles)
        .filter((r) => r.active !== false)
        .map((r) => r.practitioner?.reference),
    );
    return {
      spaOrganization: spa,
      roles: Object.entries(ROLES).map(([code, display]) => ({ code, display })),
      organizations: orgs.map((o) => ({ id: o.id, name: o.name, ...(o.type ? { type: o.type } : {}) })),
      coordinators: people
        .filter((p) => active.has(`Practitioner/${p.id!}`))
        .map((p) => ({
          id: p.id!,
          name: [p.name?.[0]?.given?.join(' '), p.name?.[0]?.family].filter(Boolean).join(' ') || p.id!,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
}
