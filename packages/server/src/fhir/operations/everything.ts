import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../store/resource.service.ts';
import { restrictionForPatient } from '../search/execute.ts';
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
  const since = options.since === undefined ? undefined : new Date(options.since);
  if (since && Number.isNaN(since.getTime())) {
    badRequest(`_since '${options.since}' is not an instant`);
  }
  const params = new SqlParams();
  const patient = params.add(patientId);
  const scope = [
    `((r.resource_type = 'Patient' and r.id = ${patient}) or r.compartments @> array[${patient}]::text[])`,
    'not r.deleted',
    ...(since ? [`r.last_updated >= ${params.add(since.toISOString())}::timestamptz`] : []),
    ...(options.types?.length ? [`r.resource_type = any(${params.add(options.types)}::text[])`] : []),
  ];
  // The restriction is evaluated once per compartment row: visible rows are returned, and whether
  // any row is hidden comes from the same pass (`coalesce`: a restriction that is null hides too).
  // Nearly every row is the patient's own: for those, the policy looks up the patient's
  // relationships and consent rules once (the hint) instead of once per row.
  const visible = restrict ? restrictionForPatient(restrict, 'r', params, patient) : 'true';
  const referencedRestriction = restrict ? `and ${restrict('t', params)}` : '';
  // What is kept from a patient's online view is not even mentioned to them (docs/ACCESS.md).
  const unmentioned = service.unmentioned ? ` and not ${service.unmentioned('s')}` : '';
  const sql = `with scope as materialized (
      select r.resource_type, r.id, r.version_id, ${visible} as visible from resource r where ${scope.join(' and ')}),
    c as (select s.resource_type, s.id, v.content from scope s
      join resource_version v on v.resource_type = s.resource_type and v.id = s.id and v.version_id = s.version_id
      where s.visible limit ${EVERYTHING_LIMIT})
    select resource_type, id, content, 0 as rank from c
    union all
    -- Distinct targets before their content: a 1,000-resource compartment points ~4,700 times at
    -- ~130 resources, and fetching content before de-duplicating took 16 of the query's 25 ms.
    select t.resource_type, t.id, t.content, 1 as rank
      from (select distinct ref.target_type, ref.target_id from search_reference ref
              join c on ref.resource_type = c.resource_type and ref.id = c.id
             where ref.target_type <> 'Patient') d
      join current_resource t on t.resource_type = d.target_type and t.id = d.target_id and not t.deleted
     where not t.compartments @> array[${patient}]::text[] ${referencedRestriction}
    union all
    select null, null, null, 2 where exists (select 1 from scope s where not s.visible${unmentioned})
    order by rank, resource_type, id`;
  const all = await db.query<{ resource_type: string; id: string; content: string; rank: number }>(
    sql,
    params.values as never,
  );
  const rows = all.filter((row) => row.rank !== 2);
  const withheld = rows.length < all.length;
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
    entry: [
      ...rows.map((row): BundleEntry => {
        const resource = JSON.parse(row.content) as Resource;
        return { fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } };
      }),
      ...(withheld ? [{ resource: WITHHELD_NOTICE, search: { mode: 'outcome' as const } }] : []),
    ],
  };
}

/**
 * Said when the caller's access hides part of the compartment: that something is withheld, never
 * what (docs/ACCESS.md "Telling people something is withheld"). An `outcome` entry, not a match.
 */
export const WITHHELD_NOTICE: OperationOutcome = {
  resourceType: 'OperationOutcome',
  issue: [
    {
      severity: 'information',
      code: 'suppressed',
      details: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'CONSENT' }],
        text: 'Some information in this record is not shared with you, by the patient’s choice or because no information-sharing agreement covers it.',
      },
    },
  ],
};
