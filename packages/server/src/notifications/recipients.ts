/**
 * Who a notification is for, as the access policy sees them: the Actor they would be when signed in,
 * and how to reach them outside CareWeave (the record's telecom; their preferences may override it).
 */
import type { ContactPoint, Resource } from '@medplum/fhirtypes';
import { ORGANISATION_TYPE_SYSTEM, ORGANISATION_TYPES, type Actor, type OrganisationType } from '../access/actor.ts';
import type { Queryable } from '../db/database.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { mobileOf as textableNumber } from '../gateways/sms/index.ts';

export const RECIPIENT = /^(Practitioner|Patient|RelatedPerson)\/([A-Za-z0-9.-]{1,64})$/;

export interface Recipient {
  reference: string;
  /** The person's Actor, or undefined (with `why`) when their access cannot be established. */
  actor?: Actor;
  why?: string;
  /** A UK mobile from the record (E.164). */
  phone?: string;
  email?: string;
}

/** Reads the record as the platform sees it, inside the caller's transaction when there is one. */
export interface RecordReader {
  read(resourceType: string, id: string): Promise<{ json: string | null }>;
}

async function readJson<T extends Resource>(store: RecordReader, type: string, id: string): Promise<T | undefined> {
  try {
    const stored = await store.read(type, id);
    return JSON.parse(stored.json ?? '{}') as T;
  } catch {
    return undefined;
  }
}

/** The first number among `telecom` that can be texted (any country, for staff), as E.164. */
export function mobileOf(telecom: readonly ContactPoint[] | undefined): string | undefined {
  return textableNumber(telecom, { anyCountry: true });
}

function emailOf(telecom: readonly ContactPoint[] | undefined): string | undefined {
  return telecom?.find((t) => t.system === 'email' && t.value)?.value;
}

function organisationType(org: Resource | undefined): OrganisationType | undefined {
  const types = (org as { type?: { coding?: { system?: string; code?: string }[] }[] } | undefined)?.type;
  const code = types
    ?.flatMap((t) => t.coding ?? [])
    .find(
      (c) => c.system === ORGANISATION_TYPE_SYSTEM && ORGANISATION_TYPES.includes(c.code as OrganisationType),
    )?.code;
  return code as OrganisationType | undefined;
}

/** Reads several resources of the record at once, by reference (`Type/id` → resource; absent ones left out). */
export type RecordLookup = (references: readonly string[]) => Promise<Map<string, Resource>>;

/** A lookup that reads one resource at a time. */
export function lookupOf(store: RecordReader): RecordLookup {
  return async (references) => {
    const found = new Map<string, Resource>();
    for (const reference of new Set(references)) {
      const [type, id] = reference.split('/');
      const resource = await readJson(store, type!, id!);
      if (resource) {
        found.set(reference, resource);
      }
    }
    return found;
  };
}

interface Account {
  id: string;
  organizationId: string | null;
  roleCode: string | null;
  roleId: string | null;
}

/**
 * The recipient's Actor and contact details.
 *
 * Staff: the account linked to the Practitioner (`auth_user.fhir_user`, not disabled) in its first
 * role profile (oldest, then by organisation and role: the one the sign-in page lists first). A
 * member of staff with several profiles is judged by that one; one with no account cannot sign in
 * to see anything, so gets nothing (fail closed). Patients: their patient actor (an account is not
 * needed to be judged). Proxies: the RelatedPerson acting for the patient it names.
 */
export async function resolveRecipient(db: Queryable, store: RecordReader, reference: string): Promise<Recipient> {
  return (await resolveRecipients(db, lookupOf(store), [reference])).get(reference)!;
}

/** `resolveRecipient` for several people: their records, accounts and organisations read together. */
export async function resolveRecipients(
  db: Queryable,
  lookup: RecordLookup,
  references: readonly string[],
): Promise<Map<string, Recipient>> {
  const valid = [...new Set(references)].filter((reference) => RECIPIENT.test(reference));
  const people = await lookup(valid);
  const rows = valid.length
    ? await db.query<Account & { fhirUser: string }>(
        `select distinct on (u.fhir_user) u.fhir_user as "fhirUser", u.id, p.organization_id as "organizationId",
                p.role_code as "roleCode", p.practitioner_role_id as "roleId"
           from auth_user u left join auth_role_profile p on p.user_id = u.id
          where u.fhir_user = any($1::text[]) and not u.disabled
          order by u.fhir_user, p.created_at, p.organization_id, p.role_code`,
        [valid],
      )
    : [];
  const accounts = new Map(rows.map(({ fhirUser, ...account }) => [fhirUser, account]));
  const organisations = await lookup([
    ...new Set(
      valid.flatMap((reference) => {
        const organizationId = accounts.get(reference)?.organizationId;
        return reference.startsWith('Practitioner/') && people.has(reference) && organizationId
          ? [`Organization/${organizationId}`]
          : [];
      }),
    ),
  ]);
  return new Map(
    [...new Set(references)].map((reference) => [
      reference,
      recipientOf(reference, people.get(reference), accounts.get(reference), (id) =>
        organisations.get(`Organization/${id}`),
      ),
    ]),
  );
}

function recipientOf(
  reference: string,
  person: (Resource & { telecom?: ContactPoint[]; patient?: { reference?: string } }) | undefined,
  user: Account | undefined,
  organisation: (id: string) => Resource | undefined,
): Recipient {
  const match = RECIPIENT.exec(reference);
  if (!match) {
    return { reference, why: 'the recipient is not a Practitioner, Patient or RelatedPerson' };
  }
  const [, type, id] = match as unknown as [string, 'Practitioner' | 'Patient' | 'RelatedPerson', string];
  if (!person) {
    return { reference, why: `${reference} is not in the record` };
  }
  const contact = {
    ...(mobileOf(person.telecom) ? { phone: mobileOf(person.telecom)! } : {}),
    ...(emailOf(person.telecom) ? { email: emailOf(person.telecom)! } : {}),
  };
  const userId = user?.id ?? `no-account:${reference}`;
  switch (type) {
    case 'Patient':
      return { reference, ...contact, actor: { kind: 'patient', userId, patientId: id, scopes: ['patient/*.rs'] } };
    case 'RelatedPerson': {
      const patientId = /(?:^|\/)Patient\/([A-Za-z0-9.-]{1,64})$/.exec(person.patient?.reference ?? '')?.[1];
      if (!patientId) {
        return { reference, ...contact, why: `${reference} acts for no patient` };
      }
      return {
        reference,
        ...contact,
        actor: { kind: 'related-person', userId, relatedPersonId: id, patientId, scopes: ['patient/*.rs'] },
      };
    }
    case 'Practitioner': {
      if (!user?.organizationId || !user.roleCode) {
        return { reference, ...contact, why: `${reference} has no CareWeave account with a role profile` };
      }
      const organizationType = organisationType(organisation(user.organizationId));
      if (!organizationType) {
        return { reference, ...contact, why: `Organization/${user.organizationId} has no CareWeave organisation type` };
      }
      return {
        reference,
        ...contact,
        actor: {
          kind: 'staff',
          userId,
          practitionerId: id,
          organizationId: user.organizationId,
          organizationType,
          roleCode: user.roleCode,
          ...(user.roleId ? { practitionerRoleId: user.roleId } : {}),
          scopes: ['user/*.rs'],
        },
      };
    }
  }
}

/**
 * The recipient's access, for checking what they may see, without writing audit rows in their name:
 * they have not looked at anything (the module has, and its own writes are audited as it).
 */
export function unauditedAccess(access: CallerAccess): CallerAccess {
  const quiet: CallerAccess = { ...access };
  delete quiet.recordAccess;
  delete quiet.recordRefusal;
  delete quiet.flushRefusals;
  return quiet;
}

/**
 * True when `store` (the record through someone's access) shows every one of `references`. A hidden
 * resource answers like an absent one, so either is "may not see".
 */
export async function canSeeAll(store: ResourceService, references: readonly (string | undefined)[]): Promise<boolean> {
  for (const reference of references) {
    if (!reference) {
      continue;
    }
    const [type, id] = reference.split('/');
    try {
      await store.read(type!, id!);
    } catch {
      return false;
    }
  }
  return true;
}
