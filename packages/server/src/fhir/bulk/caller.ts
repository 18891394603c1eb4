import type { Actor } from '../../access/actor.ts';
import { contextsFor, forbidden, parseScope, scopesAllow } from '../../auth/scopes.ts';

/** Who may read an export's status and files: whoever started it (see actorKey). */
export { actorKey as ownerKey } from '../../access/actor.ts';

/** Whether the token lets the caller export this type: the same search permission a search of it needs. */
export function mayExport(actor: Actor, resourceType: string): boolean {
  return scopesAllow(actor.scopes, actor.kind, resourceType, 's');
}

/**
 * At kick-off: every requested type must be searchable with the token (403 otherwise, as for a
 * search); without `_type`, at least one type must be, or there is nothing to export.
 */
export function assertMayExport(actor: Actor, types: readonly string[]): void {
  const refused = types.find((type) => !mayExport(actor, type));
  if (refused !== undefined) {
    throw forbidden(
      `The access token's scopes (${actor.scopes.join(' ') || 'none'}) do not allow exporting ${refused}`,
    );
  }
  if (!types.length && !anySearchScope(actor)) {
    throw forbidden(`The access token's scopes (${actor.scopes.join(' ') || 'none'}) do not allow exporting anything`);
  }
}

function anySearchScope(actor: Actor): boolean {
  const contexts = contextsFor(actor.kind);
  return actor.scopes.some((raw) => {
    const scope = parseScope(raw);
    return scope !== undefined && contexts.includes(scope.context) && scope.permissions.has('s');
  });
}
