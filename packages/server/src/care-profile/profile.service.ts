/**
 * The core personal profile service: keeps each profile current (written as the module's system
 * actor, as a new version of the same Composition, only when what it says has changed) and gives
 * each caller their own copy — the stored document read through the caller's view, with only the
 * entries the caller may read.
 */
import type { Composition, RiskAssessment } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import { requireAccess, requireActor } from '../access/guards.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { fail } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { HIGH_RISK_BANDS, PROFILE_TYPE_TOKEN, RISK_BAND_SYSTEM } from './codes.ts';
import { buildProfile, forReader, profileReferences, sameContent } from './profile.ts';
import { readInputs } from './record.ts';

const CHUNK = 50;
/** Clerical staff (R8010) see demographics and appointments only: they do not start clinical documents. */
const CLERICAL = 'R8010';

/** The references of `references` that `record` may read (hidden and absent alike are left out). */
export async function visibleReferences(record: ResourceService, references: readonly string[]): Promise<Set<string>> {
  const byType = new Map<string, string[]>();
  for (const reference of new Set(references)) {
    const [type, id] = reference.split('/');
    if (type && id) {
      byType.set(type, [...(byType.get(type) ?? []), id]);
    }
  }
  const visible = new Set<string>();
  for (const [type, ids] of byType) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      const bundle = await record.search(type, [
        ['_id', part.join(',')],
        ['_count', String(part.length)],
        ['_elements', 'id'],
      ]);
      for (const entry of bundle.entry ?? []) {
        visible.add(`${type}/${entry.resource?.id}`);
      }
    }
  }
  return visible;
}

/** The patient's profile as `record` sees it, if there is one. */
export async function findProfile(record: ResourceService, patientId: string): Promise<Composition | undefined> {
  const bundle = await record.search('Composition', [
    ['subject', `Patient/${patientId}`],
    ['type', PROFILE_TYPE_TOKEN],
    ['_count', '1'],
  ]);
  return bundle.entry?.[0]?.resource as Composition | undefined;
}

/** The band of a RiskAssessment (the risk model's convention), if it has one. */
export function bandOf(assessment: RiskAssessment): string | undefined {
  return assessment.prediction?.[0]?.qualitativeRisk?.coding?.find((c) => c.system === RISK_BAND_SYSTEM)?.code;
}

/** A high-risk person: their latest final RiskAssessment is banded `very-high` or `high`. */
export async function isHighRisk(record: ResourceService, patientId: string): Promise<boolean> {
  const bundle = await record.search('RiskAssessment', [
    ['subject', `Patient/${patientId}`],
    ['status', 'final'],
    ['_count', '200'],
  ]);
  const latest = (bundle.entry ?? [])
    .map((e) => e.resource as RiskAssessment)
    .sort((a, b) => (b.occurrenceDateTime ?? '').localeCompare(a.occurrenceDateTime ?? ''))[0];
  return latest ? HIGH_RISK_BANDS.includes(bandOf(latest) ?? '') : false;
}

export class CareProfileService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /**
   * Brings the patient's stored profile up to date with the record, as the module's system actor:
   * a new version only when what it says changed. Without `create`, a patient with no profile gets
   * none. Serialised per patient, so two events at once make one document, not two.
   */
  async refresh(patientId: string, options: { create: boolean }, now = new Date()): Promise<Composition | undefined> {
    return this.context.unitOfWork(this.context.systemActor, async (uow) => {
      await uow.lock(`care-profile:${patientId}`);
      const existing = await findProfile(uow.record, patientId);
      if (!existing && !options.create) {
        return undefined;
      }
      const built = buildProfile(await readInputs(uow.record, patientId), now, existing);
      if (existing && sameContent(existing, built)) {
        return existing;
      }
      const written = existing
        ? await uow.record.update('Composition', existing.id!, built)
        : await uow.record.create('Composition', built);
      return written.resource as Composition;
    });
  }

  /**
   * `Patient/{id}/$care-profile`: the caller's copy of the current profile. Staff who may see the
   * patient make one if there is none (a clinician choosing to open a profile is choosing to create
   * it); a patient or carer gets 404 until one exists. A patient the caller may not see is 404.
   */
  async forCaller(actor: Actor | undefined, patientId: string): Promise<Composition> {
    const caller = requireActor(actor);
    const record = this.context.recordAs(caller);
    await requireAccess(record, `Patient/${patientId}`);
    // Current at the moment it is asked for, even if a reaction is still waiting or failed (H-160).
    const clinical = caller.kind === 'staff' && caller.roleCode !== CLERICAL;
    const stored = await this.refresh(patientId, { create: clinical });
    if (!stored) {
      fail('not-found', `Patient/${patientId} has no core personal profile yet`);
    }
    // Read again as the caller: the profile's own access labels apply (an agreement, the patient's wishes).
    const theirs = JSON.parse((await record.read('Composition', stored.id!)).json ?? '{}') as Composition;
    return forReader(theirs, await visibleReferences(record, profileReferences(theirs)));
  }
}
