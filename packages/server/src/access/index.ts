import type { Database } from '../db/database.ts';
import type { AccessEvent, CallerAccess, StoreHooks } from '../fhir/store/hooks.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import type { Actor } from './actor.ts';
import { AgreementService } from './agreements.service.ts';
import { AuditLog } from './audit.ts';
import { authorizeWrites, refusalEvent, WriteRefusal } from './authorize.ts';
import { BreakGlassService, DEFAULT_BREAK_GLASS_HOURS } from './break-glass.ts';
import { DeclaredRelationshipService, DEFAULT_DECLARED_HOURS } from './declared.ts';
import { replaceDerivedFacts } from './derived.ts';
import { labelResources } from './labels.ts';
import { withheldOnlineSql } from './online-view.ts';
import { restrictionFor } from './policy.ts';

export { categoryOf } from './categories.ts';
export { patientOf } from './references.ts';
export { restrictionFor } from './policy.ts';
export { registerAccessRoutes } from './routes.ts';
export { registerAuditOperations } from './audit-operations.ts';
export { relabelAll } from './relabel.ts';
export type { AuditEntry, VerifyResult } from './audit.ts';
export { toAuditEvent } from './audit-event.ts';
export type { Agreement, AgreementStatus } from './agreements.repository.ts';
export type { SharingMap, SharingFlow } from './agreements.service.ts';
export type { BreakGlassSession } from './break-glass.ts';
export type { DeclaredRelationship } from './declared.ts';

export interface AccessModuleOptions {
  db: Database;
  fhirBase: string;
  /**
   * An unrestricted ResourceService built with this module's `hooks`, for the module's own writes
   * (break-glass alerts). Omitted: the module makes one.
   */
  resources?: ResourceService;
  /** How long a break-glass session lasts (default 4). */
  breakGlassHours?: number;
  /** How long a declared relationship lasts (default 24). */
  declaredHours?: number;
  /**
   * Write reads' audit rows in batches at most this many ms later, off the request path (see
   * AuditLog). Default 0: each read writes its row before responding. With buffering, call
   * `audit.flush()` at shutdown.
   */
  auditBufferMs?: number;
}

export interface AccessOptions {
  /** Write audit rows for this caller's accesses (default true). */
  audit?: boolean;
}

export interface AccessModule {
  /** Pass into ServiceOptions.hooks: labels every write, keeps relationships/consent rules in step. */
  hooks: StoreHooks;
  /** The policy alone; requests bind `platform.accessFor(actor)`, which adds the platform's rules. */
  accessFor(actor: Actor, options?: AccessOptions): CallerAccess;
  agreements: AgreementService;
  breakGlass: BreakGlassService;
  declared: DeclaredRelationshipService;
  audit: AuditLog;
}

/**
 * The store hooks that keep access facts in step with the record: every write is labelled and its
 * relationships and consent rules derived, in the write's transaction. Stateless, so a platform can
 * build its store with them (and compose other hooks) before the access module itself.
 */
export function accessHooks(fhirBase: string): StoreHooks {
  return {
    label: (tx, resources) => labelResources(tx, resources, fhirBase),
    afterWrite: (tx, writes, resources) => replaceDerivedFacts(tx, writes, resources, fhirBase),
  };
}

/** The access module (docs/ACCESS.md): one policy decision point, enforced in SQL. */
export function createAccessModule(options: AccessModuleOptions): AccessModule {
  const { db, fhirBase } = options;
  const audit = new AuditLog(db, { bufferReadsMs: options.auditBufferMs ?? 0 });
  const hooks = accessHooks(fhirBase);
  const resources =
    options.resources ?? new ResourceService(db, { fhirBase, defaultPageSize: 20, maxPageSize: 100, hooks });
  return {
    hooks,
    accessFor(actor, accessOptions = {}) {
      const restrict = restrictionFor(actor, { distributed: db.distributed });
      const audited = accessOptions.audit !== false;
      // Refused writes roll their transaction back; their audit rows are written after it ends.
      const refusals: AccessEvent[] = [];
      return {
        ...(restrict ? { restrict } : {}),
        ...(actor.kind === 'patient' || actor.kind === 'related-person' ? { unmentioned: withheldOnlineSql } : {}),
        authorizeWrite: async (tx, writes) => {
          try {
            return await authorizeWrites(tx, actor, writes, fhirBase);
          } catch (error) {
            if (audited && error instanceof WriteRefusal) {
              refusals.push(refusalEvent(error, writes[0]?.method ?? 'update'));
            }
            throw error;
          }
        },
        ...(audited
          ? {
              recordAccess: (tx, event) => audit.record(actor, event, tx),
              recordRefusal: (event) => void refusals.push(event),
              flushRefusals: async () => {
                for (const event of refusals.splice(0)) {
                  await audit.record(actor, event);
                }
              },
            }
          : {}),
      };
    },
    agreements: new AgreementService(db, audit),
    breakGlass: new BreakGlassService(resources, audit, options.breakGlassHours ?? DEFAULT_BREAK_GLASS_HOURS),
    declared: new DeclaredRelationshipService(resources, audit, options.declaredHours ?? DEFAULT_DECLARED_HOURS),
    audit,
  };
}
