import { sameShard } from '../db/distributed.ts';
import type { Queryable } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';
import { TODAY_SQL } from './policy.ts';

export type PartyRole = 'provider' | 'recipient' | 'both';
export type AgreementStatus = 'active' | 'awaiting-signatures' | 'not-yet-valid' | 'expired' | 'withdrawn';
export type Purpose = 'direct-care' | 'care-coordination' | 'commissioning';

export interface AgreementParty {
  organizationId: string;
  role: PartyRole;
  signedBy: string | null;
  signedByUser: string | null;
  signedAt: string | null;
}

export interface Agreement {
  id: string;
  title: string;
  purposes: Purpose[];
  lawfulBasis: string;
  /** Inclusive dates, YYYY-MM-DD. */
  validFrom: string;
  validTo: string | null;
  providers: string[];
  recipients: string[];
  recipientRoles: string[];
  categories: string[];
  parties: AgreementParty[];
  createdAt: string;
  createdBy: Record<string, unknown> | null;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  status: AgreementStatus;
}

export interface NewAgreement {
  id: string;
  title: string;
  purposes: Purpose[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string | null;
  providers: string[];
  recipients: string[];
  recipientRoles: string[];
  categories: string[];
  createdBy: Record<string, unknown>;
}

interface AgreementRow {
  id: string;
  title: string;
  purposes: Purpose[];
  lawful_basis: string;
  valid_from: string;
  valid_to: string | null;
  categories: string[];
  recipient_roles: string[];
  created_at: Date | string;
  created_by: Record<string, unknown> | string | null;
  withdrawn_at: Date | string | null;
  withdrawn_reason: string | null;
  today: string;
  parties: string;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function statusOf(
  agreement: Pick<Agreement, 'withdrawnAt' | 'validFrom' | 'validTo' | 'parties'>,
  today: string,
): AgreementStatus {
  if (agreement.withdrawnAt) {
    return 'withdrawn';
  }
  if (agreement.validTo !== null && agreement.validTo < today) {
    return 'expired';
  }
  if (agreement.parties.some((p) => !p.signedAt)) {
    return 'awaiting-signatures';
  }
  if (agreement.validFrom > today) {
    return 'not-yet-valid';
  }
  return 'active';
}

function toAgreement(row: AgreementRow): Agreement {
  const parties = (JSON.parse(row.parties) as (Omit<AgreementParty, 'signedAt'> & { signedAt: string | null })[]).map(
    (p) => ({ ...p, signedAt: iso(p.signedAt) }),
  );
  const agreement = {
    id: row.id,
    title: row.title,
    purposes: row.purposes,
    lawfulBasis: row.lawful_basis,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    providers: parties.filter((p) => p.role !== 'recipient').map((p) => p.organizationId),
    recipients: parties.filter((p) => p.role !== 'provider').map((p) => p.organizationId),
    recipientRoles: row.recipient_roles,
    categories: row.categories,
    parties,
    createdAt: iso(row.created_at)!,
    createdBy: jsonbValue(row.created_by),
    withdrawnAt: iso(row.withdrawn_at),
    withdrawnReason: row.withdrawn_reason,
  };
  return { ...agreement, status: statusOf(agreement, row.today) };
}

const SELECT = `select a.id, a.title, a.purposes, a.lawful_basis, a.valid_from::text as valid_from,
    a.valid_to::text as valid_to, a.categories, a.recipient_roles, a.created_at, a.created_by, a.withdrawn_at,
    a.withdrawn_reason, ${TODAY_SQL}::text as today,
    (select coalesce(json_agg(json_build_object('organizationId', p.organization_id, 'role', p.role,
        'signedBy', p.signed_by, 'signedByUser', p.signed_by_user, 'signedAt', p.signed_at)
        order by p.organization_id), '[]')::text
       from sharing_agreement_party p where p.agreement_id = a.id) as parties
  from sharing_agreement a`;

/** SQL for sharing agreements and their parties' signatures. */
export class AgreementRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async insert(agreement: NewAgreement): Promise<void> {
    await this.db.query(
      `insert into sharing_agreement (id, title, purposes, lawful_basis, valid_from, valid_to, categories, recipient_roles, created_by)
       values ($1, $2, $3::text[], $4, $5::date, $6::date, $7::text[], $8::text[], $9::jsonb)`,
      [
        agreement.id,
        agreement.title,
        agreement.purposes,
        agreement.lawfulBasis,
        agreement.validFrom,
        agreement.validTo,
        agreement.categories,
        agreement.recipientRoles,
        JSON.stringify(agreement.createdBy),
      ],
    );
    const parties = new Map<string, PartyRole>();
    for (const org of agreement.providers) {
      parties.set(org, 'provider');
    }
    for (const org of agreement.recipients) {
      parties.set(org, parties.get(org) === 'provider' ? 'both' : 'recipient');
    }
    await this.db.query(
      `insert into sharing_agreement_party (agreement_id, organization_id, role)
       select $1, o, r from unnest($2::text[], $3::text[]) as x(o, r)`,
      [agreement.id, [...parties.keys()], [...parties.values()]],
    );
  }

  async get(id: string, options: { forUpdate?: boolean } = {}): Promise<Agreement | undefined> {
    const rows = await this.db.query<AgreementRow>(
      `${SELECT} where a.id = $1${options.forUpdate ? ' for update of a' : ''}`,
      [id],
    );
    return rows[0] && toAgreement(rows[0]);
  }

  /** All agreements, or those an organisation is a party to; newest first. */
  async list(options: { organizationId?: string } = {}): Promise<Agreement[]> {
    const rows = await this.db.query<AgreementRow>(
      `${SELECT} where $1::text is null
          or exists (select 1 from sharing_agreement_party q where q.agreement_id = a.id and q.organization_id = $1)
        order by a.created_at desc, a.id`,
      [options.organizationId ?? null],
    );
    return rows.map(toAgreement);
  }

  async sign(id: string, organizationId: string, signedBy: string, signedByUser: string): Promise<void> {
    await this.db.query(
      `update sharing_agreement_party set signed_by = $3, signed_by_user = $4, signed_at = now()
        where agreement_id = $1 and organization_id = $2`,
      [id, organizationId, signedBy, signedByUser],
    );
  }

  /**
   * Rewrites the agreement's rows in `access_grant` (what the policy reads): one per provider,
   * recipient (provider <> recipient) and category, when every party has signed, it is not
   * withdrawn and its purposes include direct care; none otherwise.
   */
  async refreshGrants(id: string): Promise<void> {
    await this.db.query('delete from access_grant where agreement_id = $1', [id]);
    await this.db.query(
      `insert into access_grant (agreement_id, provider_org, recipient_org, category, recipient_roles, valid_from, valid_to)
       select a.id, pp.organization_id, rp.organization_id, c.category, a.recipient_roles, a.valid_from, a.valid_to
         from sharing_agreement a
         join sharing_agreement_party pp on pp.agreement_id = a.id and pp.role in ('provider', 'both')
         join sharing_agreement_party rp on rp.agreement_id = a.id and rp.role in ('recipient', 'both')
              and rp.organization_id <> pp.organization_id
         cross join lateral unnest(a.categories) as c(category)
        where a.id = $1 and a.withdrawn_at is null and 'direct-care' = any(a.purposes)
          and not exists (select 1 from sharing_agreement_party s where s.agreement_id = a.id and s.signed_at is null)`,
      [id],
    );
  }

  async withdraw(id: string, by: Record<string, unknown>, reason: string | null): Promise<void> {
    await this.db.query(
      `update sharing_agreement set withdrawn_at = now(), withdrawn_by = $2::jsonb, withdrawn_reason = $3 where id = $1`,
      [id, JSON.stringify(by), reason],
    );
  }

  /** Names and types of organisations, for the sharing map. */
  async organisations(ids: readonly string[]): Promise<{ id: string; name: string | null; type: string | null }[]> {
    if (!ids.length) {
      return [];
    }
    return this.db.query(
      `select r.id, (r.content->>'name') as name,
              (select t.code from search_token t where t.resource_type = 'Organization' and t.id = r.id${sameShard('t', 'r', this.db.distributed)}
                  and t.param = 'type' and t.system = 'https://careweave.example/fhir/CodeSystem/organisation-type'
                order by t.code limit 1) as type
         from current_resource r where r.resource_type = 'Organization' and r.id = any($1::text[]) and not r.deleted`,
      [ids],
    );
  }
}
