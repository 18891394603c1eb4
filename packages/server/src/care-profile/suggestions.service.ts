/**
 * A patient's suggested corrections to their profile: each a `Task` (code
 * `care-profile-task|profile-correction`, focus the profile, owner the practice, the patient's words
 * as its description) that the practice accepts or declines on the profile page. Accepting records
 * the decision; the clinician then corrects the record itself, and the profile follows.
 */
import type { Composition, Task } from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor } from '../access/actor.ts';
import { requireAccess, requireActor, requireStaff } from '../access/guards.ts';
import { conflict, fail, invalidInput, notFound } from '../fhir/outcome.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { SECTIONS, SUGGESTION_CODE, type SectionKey } from './codes.ts';
import { CLINICAL_ROLES } from './inputs.service.ts';
import { findProfile } from './profile.service.ts';

const SUGGESTION = z.object({
  section: z.enum(SECTIONS.map((s) => s.key) as [SectionKey, ...SectionKey[]]).optional(),
  text: z.string().trim().min(1, 'is required').max(2000, 'is at most 2,000 characters'),
});
const DECISION = z.object({ note: z.string().trim().max(1000, 'is at most 1,000 characters').optional() });

export interface SuggestionView {
  id: string;
  section?: string;
  text: string;
  status: 'waiting' | 'accepted' | 'declined';
  suggestedAt?: string;
  decidedAt?: string;
  note?: string;
}

const isSuggestion = (task: Task): boolean =>
  task.code?.coding?.some((c) => c.system === SUGGESTION_CODE.system && c.code === SUGGESTION_CODE.code) ?? false;

export function suggestionView(task: Task): SuggestionView {
  const section = task.input?.find((i) => i.type.text === 'section')?.valueString;
  return {
    id: task.id!,
    ...(section ? { section } : {}),
    text: task.description ?? '',
    status: task.status === 'completed' ? 'accepted' : task.status === 'rejected' ? 'declined' : 'waiting',
    ...(task.authoredOn ? { suggestedAt: task.authoredOn } : {}),
    ...(task.status === 'completed' || task.status === 'rejected' ? { decidedAt: task.lastModified } : {}),
    ...(task.statusReason?.text ? { note: task.statusReason.text } : {}),
  };
}

async function suggestionsOf(record: ResourceService, patientId: string): Promise<SuggestionView[]> {
  const bundle = await record.search('Task', [
    ['patient', `Patient/${patientId}`],
    ['code', `${SUGGESTION_CODE.system}|${SUGGESTION_CODE.code}`],
    ['_count', '200'],
  ]);
  return (bundle.entry ?? [])
    .map((e) => e.resource as Task)
    .sort((a, b) => (b.authoredOn ?? '').localeCompare(a.authoredOn ?? ''))
    .map(suggestionView);
}

export class SuggestionService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /**
   * The patient suggests a correction to their own profile. Written as the module's system actor
   * (after the patient's own view has found their profile), labelled as the practice's record so
   * that the practice sees it; the patient sees it as their own.
   */
  async suggest(actor: Actor | undefined, body: unknown, now = new Date()): Promise<SuggestionView> {
    const caller = requireActor(actor);
    if (caller.kind !== 'patient') {
      fail('forbidden', 'Only the patient may suggest a correction to their profile');
    }
    const parsed = SUGGESTION.safeParse(body);
    if (!parsed.success) {
      throw invalidInput(parsed.error);
    }
    return this.context.unitOfWork(caller, async (uow) => {
      const profile: Composition | undefined = await findProfile(uow.record, caller.patientId);
      if (!profile) {
        notFound('You have no core personal profile yet');
      }
      const practice = profile.custodian?.reference;
      const patient = { reference: `Patient/${caller.patientId}` };
      const task: Task = {
        resourceType: 'Task',
        ...(practice ? { meta: { source: practice } } : {}),
        status: 'requested',
        intent: 'proposal',
        code: { coding: [SUGGESTION_CODE], text: 'Suggested correction to the core personal profile' },
        focus: { reference: `Composition/${profile.id}` },
        for: patient,
        requester: patient,
        ...(practice ? { owner: { reference: practice } } : {}),
        authoredOn: now.toISOString(),
        lastModified: now.toISOString(),
        description: parsed.data.text,
        ...(parsed.data.section ? { input: [{ type: { text: 'section' }, valueString: parsed.data.section }] } : {}),
      };
      return suggestionView((await uow.system().create('Task', task)).resource as Task);
    });
  }

  /** The patient's own suggestions, newest first. */
  async mine(actor: Actor | undefined): Promise<SuggestionView[]> {
    const caller = requireActor(actor);
    if (caller.kind !== 'patient') {
      fail('forbidden', 'Only a patient has their own suggestions');
    }
    return suggestionsOf(this.context.recordAs(caller), caller.patientId);
  }

  /** A patient's suggestions as a member of staff may see them (404 for a patient they may not see). */
  async forPatient(actor: Actor | undefined, patientId: string): Promise<SuggestionView[]> {
    const staff = requireStaff(actor, { doing: 'see suggested corrections' });
    const record = this.context.recordAs(staff);
    await requireAccess(record, `Patient/${patientId}`);
    return suggestionsOf(record, patientId);
  }

  /** Accepts or declines a suggestion, through the clinician's own view (only the practice's record changes). */
  async decide(actor: Actor | undefined, id: string, accept: boolean, body: unknown): Promise<SuggestionView> {
    const staff = requireStaff(actor, { roles: CLINICAL_ROLES, doing: 'decide on suggested corrections' });
    const parsed = DECISION.safeParse(body ?? {});
    if (!parsed.success) {
      throw invalidInput(parsed.error);
    }
    return this.context.unitOfWork(staff, async (uow) => {
      const task = JSON.parse((await uow.record.read('Task', id)).json ?? '{}') as Task;
      if (!isSuggestion(task)) {
        notFound(`Task/${id} is not a suggested correction`);
      }
      if (task.status !== 'requested') {
        conflict('This suggestion has already been decided');
      }
      const now = new Date().toISOString();
      const note = parsed.data.note;
      const decided: Task = {
        ...task,
        status: accept ? 'completed' : 'rejected',
        businessStatus: { text: accept ? 'Accepted' : 'Declined' },
        ...(note ? { statusReason: { text: note } } : {}),
        lastModified: now,
        note: [
          ...(task.note ?? []),
          {
            authorReference: { reference: `Practitioner/${staff.practitionerId}` },
            time: now,
            text: `${accept ? 'Accepted' : 'Declined'}${note ? `: ${note}` : ''}`,
          },
        ],
      };
      return suggestionView((await uow.record.update('Task', id, decided)).resource as Task);
    });
  }
}
