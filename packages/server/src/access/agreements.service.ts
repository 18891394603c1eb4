import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { fail, invalidInput, issue, notFound, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import { DATA_CATEGORIES, type Actor, type StaffActor } from './actor.ts';
import { AgreementRepository, type Agreement, type AgreementStatus, type Purpose } from './agreements.repository.ts';
import type { AuditLog } from './audit.ts';
import { forbidden } from './authorize.ts';

/** Roles that may create, sign and withdraw agreements: privacy officer, information officer. */
export const AGREEMENT_ADMIN_ROLES: readonly string[] = ['R0001', 'R8012'];

const orgId = z
  .string()
  .trim()
  .transform((value) => value.replace(/^Organization\//, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be an Organization id or reference'));
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'is not a valid date');

export const agreementInput = z
  .object({
    title: z.string().trim().min(1, 'is required'),
    purposes: z
      .array(z.enum(['direct-care', 'care-coordination', 'commissioning']))
      .min(1, 'needs at least one purpose'),
    lawfulBasis: z.string().trim().min(1, 'is required'),
    validFrom: date,
    validTo: date.nullish(),
    providers: z.array(orgId).min(1, 'needs at least one provider organisation'),
    recipients: z.array(orgId).min(1, 'needs at least one recipient organisation'),
    recipientRoles: z
      .array(z.string().regex(/^R\d{4}$/, 'must be a national RBAC job role code, e.g. R8000'))
      .default([]),
    categories: z.array(z.enum(DATA_CATEGORIES)).min(1, 'needs at least one data category'),
  })
  .refine((a) => !a.validTo || a.validTo >= a.validFrom, {
    message: 'must not be before validFrom',
    path: ['validTo'],
  });

export type AgreementInput = z.input<typeof agreementInput>;

export interface SharingFlow {
  agreementId: string;
  title: string;
  provider: string;
  recipient: string;
  categories: string[];
  purposes: Purpose[];
  recipientRoles: string[];
  status: AgreementStatus;
  validFrom: string;
  validTo: string | null;
}

export interface SharingMap {
  organisations: { id: string; name: string | null; type: string | null }[];
  /** One per agreement, provider and recipient (provider ≠ recipient). */
  flows: SharingFlow[];
}

const invalid = invalidInput;

function requireStaff(actor: Actor | undefined): StaffActor {
  if (!actor) {
    throw new OperationOutcomeError(outcome(issue('error', 'login', 'Sign in first')));
  }
  if (actor.kind !== 'staff') {
    throw forbidden('Only staff may use information-sharing agreements');
  }
  return actor;
}

function requireAdmin(actor: StaffActor): void {
  if (!AGREEMENT_ADMIN_ROLES.includes(actor.roleCode)) {
    throw forbidden(`Role ${actor.roleCode} may not manage agreements (privacy officer R0001 or R8012 only)`);
  }
}

/**
 * Information-sharing agreements (docs/ACCESS.md): created by a party's (or a commissioner's)
 * privacy or information officer, signed by each party for itself, withdrawn by a party or a
 * commissioner. The policy reads the tables directly; this is the admin side.
 */
export class AgreementService {
  private readonly db: Database;
  private readonly audit: AuditLog;

  constructor(db: Database, audit: AuditLog) {
    this.db = db;
    this.audit = audit;
  }

  async create(actor: Actor | undefined, body: unknown): Promise<Agreement> {
    const staff = requireStaff(actor);
    requireAdmin(staff);
    const parsed = agreementInput.safeParse(body);
    if (!parsed.success) {
      throw invalid(parsed.error);
    }
    const input = parsed.data;
    const providers = [...new Set(input.providers)];
    const recipients = [...new Set(input.recipients)];
    const parties = [...new Set([...providers, ...recipients])];
    if (!parties.includes(staff.organizationId) && staff.organizationType !== 'commissioner') {
      throw forbidden('Only a party to the agreement or a commissioner may create it');
    }
    const repository = new AgreementRepository(this.db);
    const known = new Set((await repository.organisations(parties)).map((o) => o.id));
    const unknown = parties.filter((p) => !known.has(p));
    if (unknown.length) {
      throw new OperationOutcomeError(
        outcome(
          ...unknown.map((id) =>
            issue('error', 'invalid', `Organization/${id} is not known`, ['providers', 'recipients']),
          ),
        ),
      );
    }
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      await new AgreementRepository(tx).insert({
        id,
        title: input.title,
        purposes: [...new Set(input.purposes)],
        lawfulBasis: input.lawfulBasis,
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
        providers,
        recipients,
        recipientRoles: [...new Set(input.recipientRoles)],
        categories: [...new Set(input.categories)],
        createdBy: {
          practitioner: `Practitioner/${staff.practitionerId}`,
          organization: `Organization/${staff.organizationId}`,
          userId: staff.userId,
        },
      });
      await new AgreementRepository(tx).refreshGrants(id);
      await this.audit.recordEvent(
        staff,
        { interaction: 'agreement-create', resources: [`SharingAgreement/${id}`], decision: 'permit' },
        tx,
      );
    });
    return (await repository.get(id))!;
  }

  async get(actor: Actor | undefined, id: string): Promise<Agreement> {
    requireReader(actor);
    return (await new AgreementRepository(this.db).get(id)) ?? notFound(`Agreement ${id} is not known`);
  }

  async list(actor: Actor | undefined, options: { organizationId?: string } = {}): Promise<Agreement[]> {
    requireReader(actor);
    return new AgreementRepository(this.db).list(options);
  }

  /** Signs for the actor's own organisation, which must be a party. */
  async sign(actor: Actor | undefined, id: string): Promise<Agreement> {
    const staff = requireStaff(actor);
    requireAdmin(staff);
    await this.db.transaction(async (tx) => {
      const repository = new AgreementRepository(tx);
      const agreement = (await repository.get(id, { forUpdate: true })) ?? notFound(`Agreement ${id} is not known`);
      const party = agreement.parties.find((p) => p.organizationId === staff.organizationId);
      if (!party) {
        throw forbidden(`Organization/${staff.organizationId} is not a party to this agreement`);
      }
      if (agreement.withdrawnAt) {
        fail('conflict', 'The agreement has been withdrawn');
      }
      if (party.signedAt) {
        fail('conflict', `Organization/${staff.organizationId} has already signed (${party.signedAt})`);
      }
      await repository.sign(id, staff.organizationId, `Practitioner/${staff.practitionerId}`, staff.userId);
      await repository.refreshGrants(id);
      await this.audit.recordEvent(
        staff,
        { interaction: 'agreement-sign', resources: [`SharingAgreement/${id}`], decision: 'permit' },
        tx,
      );
    });
    return (await new AgreementRepository(this.db).get(id))!;
  }

  async withdraw(actor: Actor | undefined, id: string, reason?: string): Promise<Agreement> {
    const staff = requireStaff(actor);
    requireAdmin(staff);
    await this.db.transaction(async (tx) => {
      const repository = new AgreementRepository(tx);
      const agreement = (await repository.get(id, { forUpdate: true })) ?? notFound(`Agreement ${id} is not known`);
      if (
        !agreement.parties.some((p) => p.organizationId === staff.organizationId) &&
        staff.organizationType !== 'commissioner'
      ) {
        throw forbidden('Only a party to the agreement or a commissioner may withdraw it');
      }
      if (agreement.withdrawnAt) {
        fail('conflict', `The agreement was already withdrawn (${agreement.withdrawnAt})`);
      }
      await repository.withdraw(
        id,
        {
          practitioner: `Practitioner/${staff.practitionerId}`,
          organization: `Organization/${staff.organizationId}`,
          userId: staff.userId,
        },
        reason?.trim() || null,
      );
      await repository.refreshGrants(id);
      await this.audit.recordEvent(
        staff,
        { interaction: 'agreement-withdraw', resources: [`SharingAgreement/${id}`], decision: 'permit', query: reason },
        tx,
      );
    });
    return (await new AgreementRepository(this.db).get(id))!;
  }

  /** Who shares what with whom, for the commissioners' map: every agreement's provider → recipient flows. */
  async sharingMap(actor: Actor | undefined): Promise<SharingMap> {
    requireReader(actor);
    const repository = new AgreementRepository(this.db);
    const agreements = await repository.list();
    const flows: SharingFlow[] = [];
    for (const a of agreements) {
      for (const provider of a.providers) {
        for (const recipient of a.recipients) {
          if (provider !== recipient) {
            flows.push({
              agreementId: a.id,
              title: a.title,
              provider,
              recipient,
              categories: a.categories,
              purposes: a.purposes,
              recipientRoles: a.recipientRoles,
              status: a.status,
              validFrom: a.validFrom,
              validTo: a.validTo,
            });
          }
        }
      }
    }
    const ids = [...new Set(flows.flatMap((f) => [f.provider, f.recipient]))].sort();
    const organisations = await repository.organisations(ids);
    const byId = new Map(organisations.map((o) => [o.id, o]));
    return { organisations: ids.map((id) => byId.get(id) ?? { id, name: null, type: null }), flows };
  }
}

/** Reading agreements and the map: any staff member, or a back-end integration. */
function requireReader(actor: Actor | undefined): void {
  if (actor?.kind !== 'system') {
    requireStaff(actor);
  }
}
