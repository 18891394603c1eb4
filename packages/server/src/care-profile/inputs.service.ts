/**
 * Recording what a clinician adds to a profile (what matters, communication needs, end-of-life
 * wishes, the ReSPECT form), through the clinician's own view of the record. The profile follows by
 * the module's reaction to the write.
 */
import type { Flag, Goal } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import { requireAccess, requireStaff } from '../access/guards.ts';
import { invalidInput, notFound } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { ended, INPUT_BODY, inputResource } from './inputs.ts';
import { inputKindOf } from './record.ts';

/** Clinicians, nurses and health professionals (social workers, paramedics) record profile inputs. */
export const CLINICAL_ROLES = ['R8000', 'R8001', 'R8003'];

export class ProfileInputService {
  private readonly context: ModuleContext;

  constructor(context: ModuleContext) {
    this.context = context;
  }

  /** Records one input for the patient; returns the Goal or Flag as stored. */
  async record(actor: Actor | undefined, patientId: string, body: unknown, now = new Date()): Promise<Goal | Flag> {
    const staff = requireStaff(actor, { roles: CLINICAL_ROLES, doing: 'record what goes into a care profile' });
    const parsed = INPUT_BODY.safeParse(body);
    if (!parsed.success) {
      throw invalidInput(parsed.error);
    }
    return this.context.unitOfWork(staff, async (uow) => {
      await requireAccess(uow.record, `Patient/${patientId}`);
      const resource = inputResource(
        parsed.data,
        patientId,
        `Practitioner/${staff.practitionerId}`,
        now.toISOString().slice(0, 10),
      );
      return (await uow.record.create(resource.resourceType, resource)).resource as Goal | Flag;
    });
  }

  /** Ends an input (no longer in force); only a profile input, as the caller may see and change it. */
  async end(actor: Actor | undefined, type: string, id: string): Promise<Goal | Flag> {
    const staff = requireStaff(actor, { roles: CLINICAL_ROLES, doing: 'change what goes into a care profile' });
    if (type !== 'Goal' && type !== 'Flag') {
      notFound(`${type}/${id} is not known`);
    }
    return this.context.unitOfWork(staff, async (uow) => {
      const current = JSON.parse((await uow.record.read(type, id)).json ?? '{}') as Goal | Flag;
      if (!inputKindOf(current)) {
        notFound(`${type}/${id} is not a care profile entry`);
      }
      return (await uow.record.update(type, id, ended(current))).resource as Goal | Flag;
    });
  }
}
