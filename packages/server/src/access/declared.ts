import { randomUUID } from 'node:crypto';
import { issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { Queryable } from '../db/database.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Actor, StaffActor } from './actor.ts';
import type { AuditLog } from './audit.ts';
import { forbidden } from './authorize.ts';
import { patientAndReason } from './break-glass.ts';
import { alertPrivacyOfficer, PRIVACY_OFFICER_ROLE } from './privacy-alert.ts';

export const DEFAULT_DECLARED_HOURS = 24;
/**
 * At most this many unexpired declarations per user: a ward round or a clinic list fits, a sweep
 * through the population does not (each is also reported to the privacy officer).
 */
export const MAX_ACTIVE_DECLARATIONS = 50;

export interface DeclaredRelationship {
  id: string;
  patientId: string;
  practitionerId: string;
  organizationId: string;
  userId: string;
  roleCode: string | null;
  reason: string;
  startedAt: string;
  expiresAt: string;
  endedAt: string | null;
}

interface Row {
  id: string;
  patient_id: string;
  practitioner_id: string;
  organization_id: string;
  user_id: string;
  role_code: string | null;
  reason: string;
  started_at: Date | string;
  expires_at: Date | string;
  ended_at: Date | string | null;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

function toDeclared(r: Row): DeclaredRelationship {
  return {
    id: r.id,
    patientId: r.patient_id,
    practitionerId: r.practitioner_id,
    organizationId: r.organization_id,
    userId: r.user_id,
    roleCode: r.role_code,
    reason: r.reason,
    startedAt: iso(r.started_at),
    expiresAt: iso(r.expires_at),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
  };
}

function staffOnly(actor: Actor | undefined): StaffActor {
  if (!actor) {
    throw new OperationOutcomeError(outcome(issue('error', 'login', 'Sign in first')));
  }
  if (actor.kind !== 'staff') {
    throw forbidden('Only staff can declare a care relationship');
  }
  return actor;
}

/**
 * Declared (self-claimed) relationships (docs/ACCESS.md, *Need to know*), in the spirit of the NHS
 * Spine legitimate-relationship model: a member of staff about to care for a patient with whom the
 * record shows no relationship (a walk-in, a covering colleague) declares one with a reason. It is
 * a legitimate relationship of that practitioner for a limited time, so the ordinary rules then
 * apply (agreements, the patient's consent, role rules) — unlike break-glass, which overrides them.
 * Declaring is audited against the patient (their access log shows it) and reported to the
 * organisation's privacy officer, who can list every declaration of the organisation.
 */
export class DeclaredRelationshipService {
  private readonly resources: ResourceService;
  private readonly audit: AuditLog;
  private readonly durationMs: number;

  /** `resources` must be unrestricted: the alert and the relationship are the system's own record. */
  constructor(resources: ResourceService, audit: AuditLog, hours = DEFAULT_DECLARED_HOURS) {
    if (!(hours > 0)) {
      throw new RangeError(`A declared relationship must last some time, not ${hours} hours`);
    }
    this.resources = resources;
    this.audit = audit;
    this.durationMs = Math.max(1, Math.round(hours * 3_600_000));
  }

  async declare(actor: Actor | undefined, patientId: unknown, reason: unknown): Promise<DeclaredRelationship> {
    const staff = staffOnly(actor);
    const { patient, why } = patientAndReason(patientId, reason);
    return this.resources.transaction(async (service) => {
      const tx = service.searchContext().db;
      await service.read('Patient', patient); // 404 / 410 when there is no such patient
      await this.checkActiveLimit(tx, staff);
      const id = randomUUID();
      const [row] = await tx.query<Row>(
        `insert into declared_relationship (id, user_id, practitioner_id, organization_id, role_code, patient_id, reason,
            expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, now() + $8::bigint * interval '1 millisecond')
         returning *`,
        [id, staff.userId, staff.practitionerId, staff.organizationId, staff.roleCode, patient, why, this.durationMs],
      );
      await tx.query(
        `insert into access_relationship (source_type, source_id, patient_id, practitioner_id, kind, valid_from, valid_to)
         values ('DeclaredRelationship', $1, $2, $3, 'declared', $4, $5)`,
        [id, patient, staff.practitionerId, row!.started_at, row!.expires_at],
      );
      const declared = toDeclared(row!);
      await this.audit.recordEvent(
        staff,
        {
          interaction: 'declare-relationship',
          patients: [patient],
          resources: [`Patient/${patient}`],
          decision: 'permit',
          query: `reason=${why}`,
        },
        tx,
      );
      await alertPrivacyOfficer(
        service,
        staff,
        patient,
        declared.startedAt,
        `Declared relationship: Practitioner/${staff.practitionerId} (role ${staff.roleCode}, user ${staff.userId}) ` +
          `at Organization/${staff.organizationId} declared a care relationship with Patient/${patient} ` +
          `until ${declared.expiresAt}. Reason: ${why}`,
      );
      return declared;
    });
  }

  /** Refuses a declaration beyond {@link MAX_ACTIVE_DECLARATIONS} unexpired ones of the user (serialised per user). */
  private async checkActiveLimit(tx: Queryable, staff: StaffActor): Promise<void> {
    await tx.queue('select pg_advisory_xact_lock(hashtext($1))', [`declared:${staff.userId}`]);
    const [row] = await tx.query<{ n: number | string }>(
      `select count(*) as n from declared_relationship where user_id = $1 and ended_at is null and expires_at > now()`,
      [staff.userId],
    );
    if (Number(row?.n ?? 0) >= MAX_ACTIVE_DECLARATIONS) {
      throw new OperationOutcomeError(
        outcome(
          issue(
            'error',
            'throttled',
            `You already have ${MAX_ACTIVE_DECLARATIONS} declared care relationships; end those you no longer need, ` +
              'or ask your privacy officer',
          ),
        ),
        429,
      );
    }
  }

  /** Ends the actor's own declaration early; unknown and someone else's look the same (404). */
  async end(actor: Actor | undefined, id: string): Promise<DeclaredRelationship> {
    const staff = staffOnly(actor);
    return this.resources.transaction(async (service) => {
      const tx = service.searchContext().db;
      const [row] = await tx.query<Row>(
        `update declared_relationship set ended_at = now()
          where id = $1 and user_id = $2 and ended_at is null and expires_at > now() returning *`,
        [id, staff.userId],
      );
      if (!row) {
        throw new OperationOutcomeError(outcome(issue('error', 'not-found', 'No such declared relationship')), 404);
      }
      await tx.query(
        `update access_relationship set valid_to = now() where source_type = 'DeclaredRelationship' and source_id = $1`,
        [id],
      );
      await this.audit.recordEvent(
        staff,
        {
          interaction: 'end-declared-relationship',
          patients: [row.patient_id],
          resources: [`Patient/${row.patient_id}`],
          decision: 'permit',
        },
        tx,
      );
      return toDeclared(row);
    });
  }

  /**
   * The actor's unexpired declarations; for the organisation's privacy officer (R0001), every
   * declaration made in the organisation in the last `days` days, newest first.
   */
  async list(
    actor: Actor | undefined,
    options: { organisation?: boolean; days?: number } = {},
  ): Promise<DeclaredRelationship[]> {
    const staff = staffOnly(actor);
    const db = this.resources.searchContext().db;
    if (options.organisation) {
      if (staff.roleCode !== PRIVACY_OFFICER_ROLE) {
        throw forbidden(`Only privacy officers (${PRIVACY_OFFICER_ROLE}) may review the organisation's declarations`);
      }
      const rows = await db.query<Row>(
        `select * from declared_relationship where organization_id = $1
            and started_at > now() - $2::int * interval '1 day' order by started_at desc limit 500`,
        [staff.organizationId, Math.min(Math.max(Math.trunc(options.days ?? 30), 1), 366)],
      );
      return rows.map(toDeclared);
    }
    const rows = await db.query<Row>(
      `select * from declared_relationship where user_id = $1 and ended_at is null and expires_at > now()
        order by started_at desc`,
      [staff.userId],
    );
    return rows.map(toDeclared);
  }
}
