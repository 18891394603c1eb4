/**
 * "Add to case list" from the risk lists (docs/COORDINATION.md, "From the risk list"): one concept with
 * the care coordination hub's case list, not a list of its own. Adding a patient either puts them on
 * the caller's caseload (staff of the single point of access take the case on as coordinator) or
 * refers them into the single point of access with their risk score as the reason (everyone else);
 * the case list is the caller's caseload and the referrals they made that are still open. The hub
 * (`use('coordination').caseload`) does it through the caller's own view; hidden and absent are 404.
 *
 * The hub is set up after this module (it is listed later), so it is looked up when a request comes,
 * not at set-up. Personal case-list `List`s written before (code `case-list`) stay in the record as
 * their owners' owned data; they are no longer read or written here.
 */
import type { Actor } from '../../access/actor.ts';
import { fail } from '../../fhir/outcome.ts';
import type { ModuleContext, ModuleServices } from '../../modules/contract.ts';

type Caseload = ModuleServices['coordination']['caseload'];
export type CaseListEntry = Awaited<ReturnType<Caseload['entries']>>[number];
export type CaseListAddResult = Awaited<ReturnType<Caseload['add']>>;

export class CaseListService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  private caseload(): Caseload {
    try {
      return this.context.use('coordination').caseload;
    } catch {
      return fail('not-supported', 'Case lists need the care coordination hub, which is not installed');
    }
  }

  /** Adds a patient (once): to the caller's caseload or as a referral to the SPA; 404 for one they may not see. */
  add(actor: Actor | undefined, patientId: string, reason?: string): Promise<CaseListAddResult> {
    return this.caseload().add(actor, { patientId, ...(reason ? { note: reason } : {}) });
  }

  /** Withdraws the caller's referral while it waits for triage (a case on a caseload is not closed here). */
  remove(actor: Actor | undefined, patientId: string): Promise<CaseListEntry[]> {
    return this.caseload().remove(actor, patientId);
  }

  /** The caller's case list: their caseload and their open referrals, patients they may (still) see only. */
  entries(actor: Actor | undefined): Promise<CaseListEntry[]> {
    return this.caseload().entries(actor);
  }
}
