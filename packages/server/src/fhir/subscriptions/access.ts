import type { Resource, Subscription } from '@medplum/fhirtypes';
import { forbidden, scopesAllow } from '../../auth/scopes.ts';
import type { Queryable } from '../../db/database.ts';
import type { CallerAccess, PendingWrite } from '../store/hooks.ts';
import { actorKey as ownerKey, type Actor } from '../../access/actor.ts';
import { SubscriptionRepository } from './repository.ts';
import { validateSubscription, type EndpointRules } from './validate.ts';

/**
 * A caller's access to the record (the access module's `accessFor`) with the Subscription rules
 * added: a Subscription is seen and changed only by its owner or by a system client (which sees
 * everything anyway), and one written by the caller is validated, activated and remembered as
 * theirs in the write's transaction. Subscriptions are directory data to the access policy (no
 * patient), so without this every user would see every endpoint and its headers.
 */
export function withSubscriptionRules(inner: CallerAccess, actor: Actor, rules: EndpointRules): CallerAccess {
  const key = ownerKey(actor);
  const restrict = inner.restrict;
  return {
    ...inner,
    ...(actor.kind === 'system' || !restrict
      ? {}
      : {
          restrict: (alias, params, hint) =>
            `(${restrict(alias, params, hint)}) and (${alias}.resource_type <> 'Subscription' or ${alias}.id in
              (select s.id from subscription s where s.owner_key = ${params.add(key)}::text))`,
        }),
    authorizeWrite: async (tx, writes) => {
      const resources = inner.authorizeWrite ? await inner.authorizeWrite(tx, writes) : writes.map((w) => w.resource);
      const result: Resource[] = [];
      for (const [i, resource] of resources.entries()) {
        result.push(
          resource.resourceType === 'Subscription'
            ? await authorizeSubscription(tx, actor, key, writes[i]!, resource, rules)
            : resource,
        );
      }
      return result;
    },
  };
}

async function authorizeSubscription(
  tx: Queryable,
  actor: Actor,
  key: string,
  write: PendingWrite,
  resource: Resource,
  rules: EndpointRules,
): Promise<Resource> {
  const repository = new SubscriptionRepository(tx);
  const id = resource.id!;
  const existing = await repository.find(id);
  const ownedByAnother = existing ? existing.ownerKey !== key : Boolean(write.previous && !write.previous.deleted);
  if (ownedByAnother && actor.kind !== 'system') {
    throw forbidden(`Subscription/${id} belongs to someone else`);
  }
  if (write.method === 'delete') {
    return resource;
  }
  const subscription = resource as Subscription;
  const criteria = validateSubscription(subscription, rules);
  if (!scopesAllow(actor.scopes, actor.kind, criteria.resourceType, 's')) {
    throw forbidden(
      `The access token's scopes (${actor.scopes.join(' ') || 'none'}) do not allow searching ${criteria.resourceType}`,
    );
  }
  if (!existing) {
    await repository.claim(id, key, actor);
  }
  return activate(subscription);
}

/**
 * R4: `requested` is the client asking for a Subscription the server has not yet set up, so the
 * server moves it to `active` once it accepts it. Every other status is kept as written, so that
 * what a client reads it can write back unchanged: `off` stays off, and `error` (with its `error`
 * text) stays until the next successful delivery sets it back to `active` (delivery.ts). A client
 * that has fixed its endpoint asks again with `requested` (or `active`).
 */
function activate(subscription: Subscription): Subscription {
  if (subscription.status !== 'requested') {
    return subscription;
  }
  const { error: _previousError, ...rest } = subscription;
  void _previousError;
  return { ...rest, status: 'active' };
}
