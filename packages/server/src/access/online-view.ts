import type { Coding, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import type { VersionWrite } from '../fhir/store/resource.repository.ts';
import { SENSITIVITY_SYSTEM, securityCategory } from './categories.ts';

/**
 * "Not for online view" (docs/ACCESS.md, *What the patient sees of their own record*): NHS guidance
 * for online record access expects information that could cause serious harm, or that concerns
 * third parties, to be kept out of the patient's online view until a clinician releases it. A
 * clinician marks a resource with `meta.security` {@link SENSITIVITY_SYSTEM}|{@link WITHHELD_ONLINE};
 * anything with a safeguarding label is withheld by default, until a clinician releases it with
 * {@link RELEASED_ONLINE}. The patient, their proxies, the patient's `$everything` and their bulk
 * export never show a withheld resource; staff see the marking.
 */
export const WITHHELD_ONLINE = 'not-for-online-view';
export const RELEASED_ONLINE = 'online-view-released';

function hasLabel(security: readonly Coding[] | undefined, code: string): boolean {
  return (security ?? []).some((c) => c.system === SENSITIVITY_SYSTEM && c.code === code);
}

/** Whether a resource is kept out of the patient's online view (and their proxies'). */
export function withheldOnline(resource: Resource): boolean {
  const security = resource.meta?.security;
  if (hasLabel(security, WITHHELD_ONLINE)) {
    return true;
  }
  // Any safeguarding label, also on a resource whose category another label decides (a mental
  // health record about a safeguarding concern is still withheld by default).
  const safeguarding = (security ?? []).some((c) => securityCategory([c]) === 'safeguarding');
  return safeguarding && !hasLabel(security, RELEASED_ONLINE);
}

/** SQL: the row (alias with resource_type and id) is withheld from the patient's online view. */
export function withheldOnlineSql(alias: string): string {
  return `exists (select 1 from online_withheld w where w.resource_type = ${alias}.resource_type and w.id = ${alias}.id)`;
}

/**
 * Keeps `online_withheld` in step with the written resources, in the write's transaction. A batch of
 * new resources none of which is withheld (the bulk-import case) costs no query.
 */
export async function replaceOnlineWithheld(
  db: Queryable,
  writes: readonly VersionWrite[],
  resources: ReadonlyMap<string, Resource>,
): Promise<void> {
  const replaced = writes.filter((w) => w.replacesExisting || w.deleted);
  if (replaced.length) {
    await db.queue(
      `delete from online_withheld w using unnest($1::text[], $2::text[]) as k(t, i)
        where w.resource_type = k.t and w.id = k.i`,
      [replaced.map((w) => w.resourceType), replaced.map((w) => w.id)],
      { genericPlan: true },
    );
  }
  const withheld = writes.filter((w) => {
    const resource = w.deleted ? undefined : resources.get(`${w.resourceType}/${w.id}`);
    return resource !== undefined && withheldOnline(resource);
  });
  if (withheld.length) {
    await db.queue(
      `insert into online_withheld (resource_type, id) select * from unnest($1::text[], $2::text[])
       on conflict do nothing`,
      [withheld.map((w) => w.resourceType), withheld.map((w) => w.id)],
    );
  }
}
