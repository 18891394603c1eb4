/**
 * Who sent a message: MSH-4 (sending facility) names an Organization in the directory by its ODS
 * code. A facility that names none (or more than one, or an inactive one, or one not in
 * CAREWEAVE_MLLP_ALLOWED_FACILITIES) is refused: its messages are answered AR and write nothing.
 */
import type { Organization } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Hl7Header } from './message.ts';
import type { Hl7Sender } from './registry.ts';
import { ODS_ORGANISATION_SYSTEM, ODS_SITE_SYSTEM } from '@careweave/vocabulary';

export { ODS_ORGANISATION_SYSTEM };
export { ODS_SITE_SYSTEM };

/** What the feed's system actor may do (for the record; system scopes are enforced on the FHIR API). */
const FEED_SCOPES = ['system/Patient.rs', 'system/Encounter.cruds', 'system/Organization.rs'];

/** The system actor every write of a facility's feed is made as, named for the audit trail. */
export function feedActor(facility: string): Hl7Sender['actor'] {
  return { kind: 'system', clientId: `HL7 feed from ${facility}`, scopes: FEED_SCOPES };
}

export type SenderMatch = { ok: true; sender: Hl7Sender } | { ok: false; reason: string };

/**
 * Matches sending facilities to organisations, remembering a match for `ttlMs` (directory data
 * changes rarely; a facility not found is looked up again on its next message).
 */
export class SenderDirectory {
  private readonly cache = new Map<string, { sender: Hl7Sender; until: number }>();

  private readonly options: { allowedFacilities?: string[]; ttlMs?: number };

  constructor(options: { allowedFacilities?: string[]; ttlMs?: number } = {}) {
    this.options = options;
  }

  /**
   * `directory` is unrestricted: matching the sender is the platform's decision, made before the
   * feed acts, so it is not the feed's read.
   */
  async match(header: Hl7Header, directory: ResourceService): Promise<SenderMatch> {
    const facility = header.facilityCode;
    if (!facility) {
      return { ok: false, reason: 'MSH-4 (sending facility) is required' };
    }
    if (this.options.allowedFacilities && !this.options.allowedFacilities.includes(facility)) {
      return { ok: false, reason: `Sending facility '${facility}' may not send messages here` };
    }
    const cached = this.cache.get(facility);
    if (cached && cached.until > Date.now()) {
      return { ok: true, sender: cached.sender };
    }
    const value = facility.replace(/[\\,|$]/g, (ch) => `\\${ch}`);
    const bundle = await directory.search('Organization', [
      ['identifier', `${ODS_ORGANISATION_SYSTEM}|${value},${ODS_SITE_SYSTEM}|${value}`],
      ['_count', '2'],
    ]);
    const found = (bundle.entry ?? []).flatMap((e) =>
      e.resource?.resourceType === 'Organization' && e.search?.mode !== 'outcome' ? [e.resource] : [],
    );
    if (found.length !== 1) {
      return {
        ok: false,
        reason: found.length
          ? `Sending facility '${facility}' names more than one organisation`
          : `Sending facility '${facility}' is not a known organisation`,
      };
    }
    const organization = found[0] as Organization;
    if (organization.active === false) {
      return { ok: false, reason: `Sending facility '${facility}' is an inactive organisation` };
    }
    const sender: Hl7Sender = {
      organizationId: organization.id!,
      facility,
      ...(organization.name ? { name: organization.name } : {}),
      actor: feedActor(facility),
    };
    this.cache.set(facility, { sender, until: Date.now() + (this.options.ttlMs ?? 60_000) });
    return { ok: true, sender };
  }
}
