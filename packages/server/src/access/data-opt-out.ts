import type { Consent, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import { dateRange } from '../fhir/indexing/normalize.ts';
import { fail } from '../fhir/outcome.ts';
import type { VersionWrite } from '../fhir/store/resource.repository.ts';
import { targetId } from './references.ts';
import { ACT_REASON_SYSTEM, CONSENT_SCOPE_SYSTEM, NDOO_POLICY_URI } from '@careweave/vocabulary';

/**
 * The National Data Opt-out (docs/ACCESS.md, *Two kinds of opt-out*): the patient's objection to
 * their data being used for research and planning. It never affects direct care. In the NHS it is
 * recorded nationally (the NHS Spine); CareWeave keeps its own record of it as a Consent and honours
 * that record for its secondary-use clients (secondary-use.ts):
 *
 * - `policy.uri` {@link NDOO_POLICY_URI}: what marks a Consent as the National Data Opt-out;
 * - `scope` `research` (consentscope): not `patient-privacy`, so the access policy never reads it
 *   as a rule about who may see the record for care (derived.ts derives rules from
 *   `patient-privacy` only);
 * - `provision.type` `deny` with `purpose` {@link NDOO_PURPOSES} (v3-ActReason): HRESCH healthcare
 *   research, and CAREMGT care management, whose definition ("analytics, evaluation and other
 *   secondary uses … to manage the quality, efficacy, patient safety, population health, and cost
 *   effectiveness of healthcare delivery", excluding care coordination and treatment) is what the
 *   NHS calls planning; `provision.period` when it applies (open ends allowed);
 * - `status` `active` while it holds; withdrawing it is `status` `inactive`.
 *
 * The opt-out is one choice, as the national one is: an opt-out in force covers every secondary
 * purpose, whichever purposes its provision lists.
 */
export { NDOO_POLICY_URI };
export { CONSENT_SCOPE_SYSTEM };
export { ACT_REASON_SYSTEM };
export const NDOO_PURPOSES = [
  { system: ACT_REASON_SYSTEM, code: 'HRESCH', display: 'healthcare research' },
  { system: ACT_REASON_SYSTEM, code: 'CAREMGT', display: 'care management' },
] as const;

export interface DataOptOutRow {
  consentId: string;
  patientId: string;
  validFrom: string | null;
  validTo: string | null;
}

/** Whether a Consent is (meant as) a National Data Opt-out: it names the national policy. */
export function isNationalDataOptOut(consent: Consent): boolean {
  return (consent.policy ?? []).some((policy) => policy.uri === NDOO_POLICY_URI);
}

function hasScope(consent: Consent, code: string): boolean {
  return (consent.scope?.coding ?? []).some(
    (c) => c.code === code && (c.system === undefined || c.system === CONSENT_SCOPE_SYSTEM),
  );
}

/** The opt-out a Consent records, if it is an NDOO in force (active, scope research, a deny). */
export function dataOptOutOf(consent: Consent, fhirBase: string): DataOptOutRow | undefined {
  const patientId = targetId(consent.patient, 'Patient', fhirBase);
  if (
    !patientId ||
    !isNationalDataOptOut(consent) ||
    consent.status !== 'active' ||
    !hasScope(consent, 'research') ||
    consent.provision?.type !== 'deny'
  ) {
    return undefined;
  }
  const period = consent.provision.period;
  const start = period?.start ? dateRange(period.start)?.low : undefined;
  const end = period?.end ? dateRange(period.end)?.high : undefined;
  return {
    consentId: consent.id!,
    patientId,
    validFrom: start?.toISOString() ?? null,
    validTo: end?.toISOString() ?? null,
  };
}

/**
 * A Consent naming the national policy must not be a `patient-privacy` Consent: its deny would be
 * read as an objection to the shared care record (everyone outside the organisation that holds each
 * record would stop seeing it), the opposite of what the National Data Opt-out means.
 */
function assertNotPrivacyRule(consent: Consent): void {
  if (isNationalDataOptOut(consent) && !hasScope(consent, 'research')) {
    fail(
      'business-rule',
      `A National Data Opt-out (policy ${NDOO_POLICY_URI}) must have scope 'research': it never applies to direct care`,
      ['Consent.scope'],
    );
  }
}

/**
 * Keeps `access_data_opt_out` in step with the written Consents, in the write's transaction: the
 * rows of every rewritten or deleted Consent are removed, those of the new current versions that
 * are an opt-out in force inserted. Refuses a Consent that names the national policy but is not
 * scoped `research`.
 */
export async function replaceDataOptOuts(
  db: Queryable,
  writes: readonly VersionWrite[],
  resources: ReadonlyMap<string, Resource>,
  fhirBase: string,
): Promise<void> {
  const consentWrites = writes.filter((w) => w.resourceType === 'Consent');
  if (!consentWrites.length) {
    return;
  }
  const replaced = consentWrites.filter((w) => w.replacesExisting || w.deleted);
  if (replaced.length) {
    await db.query('delete from access_data_opt_out where consent_id = any($1::text[])', [replaced.map((w) => w.id)]);
  }
  const rows: DataOptOutRow[] = [];
  for (const write of consentWrites) {
    const resource = write.deleted ? undefined : resources.get(`Consent/${write.id}`);
    if (resource?.resourceType !== 'Consent') {
      continue;
    }
    assertNotPrivacyRule(resource);
    const row = dataOptOutOf(resource, fhirBase);
    if (row) {
      rows.push(row);
    }
  }
  if (rows.length) {
    await db.query(
      `insert into access_data_opt_out (consent_id, patient_id, valid_from, valid_to)
       select x->>0, x->>1, (x->>2)::timestamptz, (x->>3)::timestamptz from json_array_elements($1::json) as x`,
      [JSON.stringify(rows.map((r) => [r.consentId, r.patientId, r.validFrom, r.validTo]))],
    );
  }
}
