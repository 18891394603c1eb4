import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../store/resource.service.ts';
import { SqlParams } from '../search/sql-params.ts';
import { badRequest } from '../outcome.ts';

export const EVERYTHING_LIMIT = 10_000;

/**
 * `Patient/{id}/$everything`: the patient, everything in their compartment, and the resources
 * those point to (practitioners, organisations, medications, locations). `_since` and `_type`
 * narrow it; the caller's access restriction applies to every row.
 */
export async function patientEverything(
  service: ResourceService,
  patientId: string,
  options: { since?: string; types?: string[] },
): Promise<Bundle> {
  await service.read('Patient', patientId);
  const { db, fhirBase, restrict } = service.searchContext();
  const params = new SqlParams();
  const conditions = [
    `((r.resource_type = 'Patient' and r.id = ${params.add(patientId)}) or r.compartments @> array[${params.add(patientId)}]::text[])`,
    'not r.deleted',
  ];
  if (options.since) {
    const since = new Date(options.since);
    if (Number.isNaN(since.getTime())) {
      badRequest(`_since '${options.since}' is not an instant`);
    }
    conditions.push(`r.last_updated >= ${params.add(since.toISOString())}::timestamptz`);
  }
  if (options.types?.length) {
    conditions.push(`r.resource_type = any(${params.add(options.types)}::text[])`);
  }
  if (restrict) {
    conditions.push(restrict('r', params));
  }
  const compartment = `select r.resource_type, r.id, r.content from current_resource r where ${conditions.join(' and ')}`;
  const referencedRestriction = restrict ? `and ${restrict('t', params)}` : '';
  const sql = `with c as (${compartment} limit ${EVERYTHING_LIMIT})
    select resource_type, id, content, 0 as rank from c
    union all
    select * from (select distinct on (t.resource_type, t.id) t.resource_type, t.id, t.content, 1 as rank from search_reference ref
      join c on ref.resource_type = c.resource_type and ref.id = c.id
      join current_resource t on t.resource_type = ref.target_type and t.id = ref.target_id and not t.deleted
      where t.resource_type <> 'Patient' and not t.compartments @> array[${params.add(patientId)}]::text[] ${referencedRestriction}) referenced
    order by rank, resource_type, id`;
  const rows = await db.query<{ resource_type: string; id: string; content: string }>(sql, params.values as never);
  await service.recordAccess({
    interaction: 'everything',
    resources: rows.map((row) => `${row.resource_type}/${row.id}`),
    patients: [patientId],
  });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: rows.length,
    link: [{ relation: 'self', url: `${fhirBase}/Patient/${patientId}/$everything` }],
    entry: rows.map((row) => {
      const resource = JSON.parse(row.content) as Resource;
      return { fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } };
    }),
  };
}
