import type { Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/database.ts';
import type { VersionWrite } from '../fhir/store/resource.repository.ts';
import { replaceDerivedFacts } from './derived.ts';
import { labelResources } from './labels.ts';

/**
 * Recomputes the access labels (patient, source organisation, category) of every current resource
 * and rebuilds `access_relationship`, `access_consent_rule` and the other derived facts (owners and
 * shares of owned data, CareTeam members: owned.ts), for a database written before the
 * access hooks were in place (or after the label rules change). It writes no new versions: stored
 * content, including `meta.source`, is left as it is. Idempotent; safe to run while the server is
 * up (each batch is one transaction). Encounters are labelled before the resources that point to
 * them, so "the organisation of the resource's encounter" sees their new labels.
 */
export async function relabelAll(
  db: Database,
  fhirBase: string,
  options: { batchSize?: number; onProgress?: (done: number) => void } = {},
): Promise<{ resources: number }> {
  const batchSize = options.batchSize ?? 1000;
  const passes: { label: string; where: string }[] = [
    { label: 'patients and organisations', where: `resource_type in ('Patient', 'Organization')` },
    { label: 'encounters', where: `resource_type = 'Encounter'` },
    { label: 'the rest', where: `resource_type not in ('Patient', 'Organization', 'Encounter')` },
  ];
  let done = 0;
  for (const pass of passes) {
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = await db.query<{ resource_type: string; id: string; content: string }>(
        `select resource_type, id, content from current_resource
          where not deleted and ${pass.where} and (resource_type, id) > ($1, $2)
          order by resource_type, id limit $3`,
        [after[0], after[1], batchSize],
      );
      if (!rows.length) {
        break;
      }
      const resources = rows.map((row) => JSON.parse(row.content) as Resource);
      await db.transaction(async (tx) => {
        const labelled = await labelResources(tx, resources, fhirBase);
        await tx.query(
          `update resource r set patient_id = x.p, source_org = x.s, category = x.c
             from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as x(t, i, p, s, c)
            where r.resource_type = x.t and r.id = x.i`,
          [
            labelled.map((l) => l.resource.resourceType),
            labelled.map((l) => l.resource.id!),
            labelled.map((l) => l.labels.patientId),
            labelled.map((l) => l.labels.sourceOrg),
            labelled.map((l) => l.labels.category),
          ],
        );
        const writes = labelled.map(({ resource: r, labels }): VersionWrite => ({
          resourceType: r.resourceType,
          id: r.id!,
          versionId: 0,
          lastUpdated: new Date(),
          deleted: false,
          method: 'update',
          json: null,
          index: null,
          replacesExisting: true,
          labels, // owned data's default owner is its source organisation (owned.ts)
        }));
        await replaceDerivedFacts(
          tx,
          writes,
          new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r])),
          fhirBase,
        );
      });
      const last = rows[rows.length - 1]!;
      after = [last.resource_type, last.id];
      done += rows.length;
      options.onProgress?.(done);
    }
  }
  return { resources: done };
}
