import { randomUUID } from 'node:crypto';
import { badRequest, issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Actor } from './actor.ts';
import type { AuditLog } from './audit.ts';
import { forbidden } from './authorize.ts';
import { alertPrivacyOfficer } from './privacy-alert.ts';

export const DEFAULT_BREAK_GLASS_HOURS = 4;
export const MIN_REASON_LENGTH = 10;
export { PRIVACY_OFFICER_ROLE } from './privacy-alert.ts';

export interface BreakGlassSession {
  id: string;
  patientId: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
  /** The alert raised to the organisation's privacy officer. */
  communicationId: string;
}

/**
 * The patient and stated reason of a request for access to one patient (break-glass, a declared
 * relationship): a Patient id (or `Patient/{id}`) and a reason of at least {@link MIN_REASON_LENGTH}
 * characters, or a 400 naming the field.
 */
export function patientAndReason(patientId: unknown, reason: unknown): { patient: string; why: string } {
  if (typeof patientId !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(patientId.replace(/^Patient\//, ''))) {
    return badRequest('patientId must be a Patient id', ['patientId']);
  }
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (why.length < MIN_REASON_LENGTH) {
    return badRequest(`A reason of at least ${MIN_REASON_LENGTH} characters is required`, ['reason']);
  }
  return { patient: patientId.replace(/^Patient\//, ''), why };
}

/**
 * Emergency access (docs/ACCESS.md, "Break-glass"): one staff user, one patient, a stated reason,
 * a limited time. Starting one records the session, an audit row with the reason and a
 * `Communication` alert to the organisation's privacy officer, in one transaction.
 */
export class BreakGlassService {
  private readonly resources: ResourceService;
  private readonly audit: AuditLog;
  private readonly durationMs: number;

  /** `resources` must be unrestricted (no caller access): the alert is the system's own record. */
  constructor(resources: ResourceService, audit: AuditLog, hours = DEFAULT_BREAK_GLASS_HOURS) {
    this.resources = resources;
    this.audit = audit;
    if (!(hours > 0)) {
      throw new RangeError(`A break-glass session must last some time, not ${hours} hours`);
    }
    this.durationMs = Math.max(1, Math.round(hours * 3_600_000));
  }

  async start(actor: Actor | undefined, patientId: unknown, reason: unknown): Promise<BreakGlassSession> {
    if (!actor) {
      throw new OperationOutcomeError(outcome(issue('error', 'login', 'Sign in first')));
    }
    if (actor.kind !== 'staff') {
      throw forbidden('Only staff can break the glass');
    }
    const { patient, why } = patientAndReason(patientId, reason);
    return this.resources.transaction(async (service) => {
      const tx = service.searchContext().db;
      await service.read('Patient', patient); // 404 / 410 when there is no such patient
      const id = randomUUID();
      const [session] = await tx.query<{ started_at: Date | string; expires_at: Date | string }>(
        `insert into break_glass (id, user_id, practitioner_id, organization_id, role_code, patient_id, reason, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, now() + $8::bigint * interval '1 millisecond')
         returning started_at, expires_at`,
        [id, actor.userId, actor.practitionerId, actor.organizationId, actor.roleCode, patient, why, this.durationMs],
      );
      const startedAt = new Date(session!.started_at).toISOString();
      const expiresAt = new Date(session!.expires_at).toISOString();
      await this.audit.recordEvent(
        actor,
        {
          interaction: 'break-glass',
          patients: [patient],
          resources: [`Patient/${patient}`],
          decision: 'break-glass',
          breakGlassReason: why,
        },
        tx,
      );
      const created = await alertPrivacyOfficer(
        service,
        actor,
        patient,
        startedAt,
        `Break-glass: Practitioner/${actor.practitionerId} (role ${actor.roleCode}, user ${actor.userId}) ` +
          `at Organization/${actor.organizationId} opened emergency access to Patient/${patient} ` +
          `until ${expiresAt}. Reason: ${why}`,
      );
      return { id, patientId: patient, reason: why, startedAt, expiresAt, communicationId: created.id! };
    });
  }

  /** The actor's unexpired sessions. */
  async active(actor: Actor): Promise<Omit<BreakGlassSession, 'communicationId'>[]> {
    if (actor.kind !== 'staff') {
      return [];
    }
    const rows = await this.resources.searchContext().db.query<{
      id: string;
      patient_id: string;
      reason: string;
      started_at: Date | string;
      expires_at: Date | string;
    }>(
      `select id, patient_id, reason, started_at, expires_at from break_glass
        where user_id = $1 and started_at <= now() and expires_at > now() order by started_at desc`,
      [actor.userId],
    );
    return rows.map((r) => ({
      id: r.id,
      patientId: r.patient_id,
      reason: r.reason,
      startedAt: new Date(r.started_at).toISOString(),
      expiresAt: new Date(r.expires_at).toISOString(),
    }));
  }
}
