/**
 * "Add to case list" (docs/RISK-MODEL.md, "Lists"): each member of staff's own case list is a FHIR
 * `List` they own (`source` their Practitioner, code `case-list`): owned data, which only they and whom
 * they share it with see (docs/ACCESS.md, "Owned data"), and which, like any write naming a patient,
 * needs a legitimate relationship with each patient added (H-147).
 */
import type { List, Patient } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import { requireAccess, requireStaff } from '../../access/guards.ts';
import { requireScopes } from '../../auth/scopes.ts';
import type { ModuleContext } from '../../modules/contract.ts';

export const LIST_CODE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/list-code';
export const CASE_LIST_CODE = 'case-list';

export interface CaseListEntry {
  patient: string;
  name: string;
  added: string;
  reason?: string;
}

export class CaseListService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  private async own(actor: Actor | undefined, write = false) {
    const staff = requireStaff(actor, { doing: 'keep a case list' });
    requireScopes(staff, [
      { resourceType: 'List', interaction: 's' },
      { resourceType: 'Patient', interaction: 'r' },
      ...(write
        ? [{ resourceType: 'List', interaction: 'c' } as const, { resourceType: 'List', interaction: 'u' } as const]
        : []),
    ]);
    const record = this.context.recordAs(staff);
    const bundle = await record.search('List', [
      ['code', `${LIST_CODE_SYSTEM}|${CASE_LIST_CODE}`],
      ['source', `Practitioner/${staff.practitionerId}`],
      ['status', 'current'],
      ['_sort', '_id'],
      ['_count', '1'],
    ]);
    const list = bundle.entry?.find((e) => e.resource?.resourceType === 'List')?.resource as List | undefined;
    return { staff, record, list };
  }

  /** Adds a patient (once) to the caller's case list; 404 for a patient they may not see. */
  async add(actor: Actor | undefined, patientId: string, reason?: string): Promise<CaseListEntry[]> {
    const { staff, record, list } = await this.own(actor, true);
    await requireAccess(record, `Patient/${patientId}`);
    const reference = `Patient/${patientId}`;
    const entry = {
      item: { reference },
      date: new Date().toISOString(),
      ...(reason ? { flag: { text: reason.slice(0, 200) } } : {}),
    };
    if (!list) {
      await record.create('List', {
        resourceType: 'List',
        status: 'current',
        mode: 'working',
        title: 'My case list',
        code: { coding: [{ system: LIST_CODE_SYSTEM, code: CASE_LIST_CODE, display: 'Case list' }] },
        source: { reference: `Practitioner/${staff.practitionerId}` },
        entry: [entry],
      });
    } else if (!(list.entry ?? []).some((e) => e.item.reference === reference && !e.deleted)) {
      await record.update('List', list.id!, { ...list, entry: [...(list.entry ?? []), entry] });
    }
    return this.entries(actor);
  }

  async remove(actor: Actor | undefined, patientId: string): Promise<CaseListEntry[]> {
    const { record, list } = await this.own(actor, true);
    if (list) {
      const entry = (list.entry ?? []).filter((e) => e.item.reference !== `Patient/${patientId}`);
      await record.update('List', list.id!, { ...list, entry });
    }
    return this.entries(actor);
  }

  /** The caller's case list, patients they may (still) see only. */
  async entries(actor: Actor | undefined): Promise<CaseListEntry[]> {
    const { record, list } = await this.own(actor);
    const out: CaseListEntry[] = [];
    for (const e of list?.entry ?? []) {
      const id = e.item.reference?.startsWith('Patient/') ? e.item.reference.slice(8) : undefined;
      if (!id || e.deleted) {
        continue;
      }
      const patient = await record.read('Patient', id).then(
        (stored) => JSON.parse(stored.json ?? '{}') as Patient,
        () => undefined,
      );
      if (!patient) {
        continue;
      }
      const n = patient.name?.[0];
      out.push({
        patient: `Patient/${id}`,
        name: n?.text ?? ([...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || id),
        added: e.date ?? '',
        ...(e.flag?.text ? { reason: e.flag.text } : {}),
      });
    }
    return out;
  }
}
