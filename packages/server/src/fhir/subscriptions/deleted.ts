import { matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { AccessModule } from '../../access/index.ts';
import type { Queryable } from '../../db/database.ts';
import { fhirDefinitions, type SearchParamDefinition } from '../definitions.ts';
import { ResourceRepository } from '../store/resource.repository.ts';
import { parseCriteria } from './criteria.ts';
import type { Evaluation } from './evaluate.ts';

/**
 * The last version before a deletion, when the Subscription's owner would have been told of it: the
 * deletion is still the resource's current version (a re-creation since has its own event), the
 * owner's access policy lets them see that last version (each version keeps the labels it was written
 * with, so this is the same rule their `vread` of it would apply), and it matched the criteria.
 *
 * A deleted resource has no search index rows, so the criteria are matched in memory against the
 * last version with the R4 SearchParameters' FHIRPath (@medplum/core), not by the SQL search that
 * matches creates and updates; criteria it cannot evaluate (chains, `_has`) do not match, so a
 * deletion is never notified on a guess. With `audit` the owner's sight of it is in their audit trail.
 */
export async function findDeletedAsOwner(
  db: Queryable,
  access: AccessModule,
  evaluation: Evaluation & { versionId: number },
  audit: boolean,
): Promise<Resource | undefined> {
  const criteria = parseCriteria(evaluation.criteria);
  const { resourceType, resourceId, versionId } = evaluation;
  if (criteria.resourceType !== resourceType || versionId < 2) {
    return undefined;
  }
  const repository = new ResourceRepository(db);
  const current = await repository.readCurrent(resourceType, resourceId);
  if (!current?.deleted || Number(current.versionId) !== versionId) {
    return undefined;
  }
  const caller = access.accessFor(evaluation.owner, { audit });
  const last = await repository.readVersion(resourceType, resourceId, versionId - 1, caller.restrict);
  if (!last?.json || last.deleted) {
    return undefined;
  }
  const resource = JSON.parse(last.json) as Resource;
  if (!matchesCriteria(resource, criteria.query)) {
    return undefined;
  }
  await caller.recordAccess?.(db, {
    interaction: 'history',
    resources: [`${resourceType}/${resourceId}`],
    patients: [],
    query: evaluation.criteria,
  });
  return resource;
}

/** Whether a resource matches parsed criteria (criteria.ts), evaluated in memory; false when it cannot tell. */
export function matchesCriteria(resource: Resource, query: readonly [string, string][]): boolean {
  const definitions = fhirDefinitions(); // also indexes the SearchParameters the matcher reads
  const params: Record<string, string[]> = {};
  for (const [name, value] of query) {
    const [key, bare] = asTypedReference(definitions.searchParams.get(resource.resourceType), name, value);
    (params[key] ??= []).push(bare);
  }
  try {
    return matchesSearchRequest(resource, parseSearchRequest(resource.resourceType, params));
  } catch {
    return false;
  }
}

/**
 * The server's search accepts a reference by bare id (`patient=p1`, `subject:Patient=p1`); the
 * in-memory matcher compares `Type/id`. A bare id becomes `Type/id` for each type the parameter
 * may point to (a comma is "or"), so both read the criteria alike.
 */
function asTypedReference(
  params: ReadonlyMap<string, SearchParamDefinition> | undefined,
  name: string,
  value: string,
): [string, string] {
  const [base, modifier] = name.split(':') as [string, string | undefined];
  const param = params?.get(base);
  if (param?.type !== 'reference' || (modifier !== undefined && !/^[A-Z]/.test(modifier))) {
    return [name, value];
  }
  const targets = modifier ? [modifier] : param.targets;
  const ids = value.split(',');
  if (!targets.length || ids.some((id) => id.includes('/'))) {
    return [name, value];
  }
  return [base, ids.flatMap((id) => targets.map((type) => `${type}/${id}`)).join(',')];
}
