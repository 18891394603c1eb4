import type { Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import type { AccessModule } from '../../access/index.ts';
import type { Queryable } from '../../db/database.ts';
import { ResourceService } from '../store/resource.service.ts';
import { parseCriteria } from './criteria.ts';

export interface Evaluation {
  owner: Actor;
  criteria: string;
  resourceType: string;
  resourceId: string;
}

/**
 * The resource, when the Subscription's owner would find it by the Subscription's own search: the
 * criteria plus `_id`, run through the owner's access (docs/ACCESS.md) exactly as their own search
 * request would be. A resource the owner may not see is not found, so it is never notified, not
 * even by id. With `audit` the search is recorded in the audit trail as the owner's.
 */
export async function findAsOwner(
  db: Queryable,
  resources: ResourceService,
  access: AccessModule,
  evaluation: Evaluation,
  audit: boolean,
): Promise<Resource | undefined> {
  const criteria = parseCriteria(evaluation.criteria);
  if (criteria.resourceType !== evaluation.resourceType) {
    return undefined;
  }
  const service = new ResourceService(db, resources.options).forCaller(access.accessFor(evaluation.owner, { audit }));
  const bundle = await service.search(criteria.resourceType, [
    ...criteria.query,
    ['_id', evaluation.resourceId],
    ['_count', '1'],
  ]);
  return bundle.entry?.find((entry) => entry.search?.mode === 'match')?.resource;
}
