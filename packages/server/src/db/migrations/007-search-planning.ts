/**
 * Help for the planner, found with EXPLAIN on the benchmark data (docs/PERFORMANCE.md):
 *
 * - Indexes for the access policy's uncorrelated lookups. For a query over many rows (a search
 *   across the population) PostgreSQL evaluates "has organisation O or practitioner Pr a
 *   relationship with this row's patient" once, as a hashed set of O's and Pr's patients; without
 *   these it read the whole of `access_relationship` to build that set on every such query (4.6 ms
 *   at 3,000 patients, growing with the population). Per-row probes use the indexes of 002.
 * - Multi-column statistics on the token index table. A token search's columns are strongly
 *   dependent (a LOINC code implies its system, its parameter and its resource type); assuming them
 *   independent, the planner estimated 745 rows for a code that has 12,850, and chose plans 10×
 *   slower for common codes (120 ms instead of 2.5 ms for a GP's `Observation?code=`).
 */
export const sql = `
create index access_relationship_by_org_idx on access_relationship (organization_id, patient_id)
  where organization_id is not null;
create index access_relationship_by_practitioner_idx on access_relationship (practitioner_id, patient_id)
  where practitioner_id is not null;
create statistics search_token_value_stats (mcv, dependencies) on resource_type, param, system, code from search_token;
create statistics search_reference_target_stats (mcv, dependencies) on resource_type, param, target_type from search_reference;
`;
