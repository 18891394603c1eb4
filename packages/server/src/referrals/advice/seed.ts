/**
 * Advice and guidance demo data (idempotent: nothing when any advice request exists): demo.gp's
 * conversations with the acute trust's services, made through the service as demo.gp and
 * demo.consultant so every write goes through their view — one answered with the referral avoided,
 * one converted into a referral draft, one awaiting advice, and one overdue (its due time moved into
 * the past by the module, the only write here that no person makes).
 */
import type { HealthcareService, Patient, RelatedPerson, Task } from '@medplum/fhirtypes';
import type { OrganisationType, StaffActor } from '../../access/actor.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { buildInfrastructureModel } from '../../seed/infrastructure.ts';
import { codeOf, readAs, REFERRAL_SYSTEM, searchAs, SPECIALTY_SYSTEM } from '../lifecycle/vocabulary.ts';
import type { ReferralsSettings } from '../settings.ts';
import type { AdviceService } from './advice.service.ts';
import { addWorkingDays } from './rules.ts';
import { ADVICE_TASK } from './vocabulary.ts';

const staff = (practitionerId: string, organizationId: string, type: OrganisationType): StaffActor => ({
  kind: 'staff',
  userId: `demo-seed-${practitionerId}`,
  practitionerId,
  organizationId,
  organizationType: type,
  roleCode: 'R8000',
  scopes: ['user/*.cruds'],
});

interface Story {
  label: string;
  specialty: string;
  priority: 'routine' | 'urgent';
  question: string;
  then: 'avoided' | 'converted' | 'awaiting' | 'overdue';
}

const STORIES: readonly Story[] = [
  {
    label: 'answered, referral avoided',
    specialty: 'trauma-orthopaedics',
    priority: 'routine',
    question:
      'Knee osteoarthritis, 68, on regular paracetamol and topical NSAID; X-ray moderate medial narrowing. ' +
      'Would a steroid injection help before considering a referral for replacement?',
    then: 'avoided',
  },
  {
    label: 'converted into a referral',
    specialty: 'trauma-orthopaedics',
    priority: 'routine',
    question:
      'Shoulder pain for four months with weakness on abduction after a fall; physiotherapy has not helped. ' +
      'Should this be imaged in primary care first, or referred?',
    then: 'converted',
  },
  {
    label: 'awaiting advice',
    specialty: 'dermatology',
    priority: 'routine',
    question: 'Persistent plaque psoriasis despite potent topical steroids and vitamin D analogue: next steps?',
    then: 'awaiting',
  },
  {
    label: 'overdue',
    specialty: 'cardiology',
    priority: 'urgent',
    question: 'Newly found atrial fibrillation, rate controlled, CHA2DS2-VASc 3: anticoagulate now or echo first?',
    then: 'overdue',
  },
];

async function demoPatient(context: Pick<ModuleContext, 'system'>): Promise<string | undefined> {
  const carer = await context.system.read('RelatedPerson', 'rp-demo-carer').catch(() => undefined);
  return carer?.json ? (JSON.parse(carer.json) as RelatedPerson).patient.reference?.split('Patient/')[1] : undefined;
}

/** Makes the demo conversations; returns what it made (empty: already there, or nothing to ask). */
export async function seedAdvice(
  context: ModuleContext<ReferralsSettings>,
  advice: AdviceService,
  seed = 1,
): Promise<string> {
  const existing = await context.system.search('Task', [
    ['code', `${REFERRAL_SYSTEM}|${ADVICE_TASK}`],
    ['_summary', 'count'],
  ]);
  const model = buildInfrastructureModel(seed);
  const practice = model.practices[0];
  const acute = model.orgIds.get('acute');
  const patient = await demoPatient(context);
  if ((existing.total ?? 0) > 0 || !practice || !acute || !patient) {
    return '';
  }
  const services = await searchAs<HealthcareService>(context.system, 'HealthcareService', [
    ['organization', `Organization/${acute}`],
    ['_count', '100'],
  ]);
  if (!services.length) {
    return '';
  }
  const gp = staff(practice.gps[0]!.id, practice.orgId, 'gp-practice');
  const consultant = staff('prac-demo-consultant', acute, 'acute-trust');
  const others = (
    await searchAs<Patient>(context.system, 'Patient', [
      ['general-practitioner', `Organization/${practice.orgId}`],
      ['deceased', 'false'],
      ['birthdate', `le${new Date().getUTCFullYear() - 40}`],
      ['_sort', '-_id'],
      ['_count', '10'],
    ])
  )
    .map((p) => p.id!)
    .filter((id) => id !== patient);
  const made: string[] = [];
  for (const [index, story] of STORIES.entries()) {
    const service =
      services.find(
        (s) => codeOf(s.specialty, SPECIALTY_SYSTEM) === story.specialty && !/2WW|two-week/i.test(s.name ?? ''),
      ) ?? services[0]!;
    const patientId = index === 2 ? patient : (others[index] ?? patient);
    try {
      made.push(await tell(context, advice, { gp, consultant, patientId, serviceId: service.id!, story }));
    } catch (error) {
      context.log.warn({ err: error }, `Advice and guidance demo: skipped the ${story.label}`);
      made.push(`${story.label}: skipped (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return made.join('; ');
}

async function tell(
  context: ModuleContext<ReferralsSettings>,
  advice: AdviceService,
  input: { gp: StaffActor; consultant: StaffActor; patientId: string; serviceId: string; story: Story },
): Promise<string> {
  const { gp, consultant, story } = input;
  const thread = await advice.request(gp, {
    patientId: input.patientId,
    serviceId: input.serviceId,
    priority: story.priority,
    question: story.question,
  });
  const taskId = thread.task.split('/')[1]!;
  if (story.then === 'avoided') {
    await advice.message(consultant, taskId, {
      kind: 'answer',
      text:
        'A steroid injection is reasonable for a flare and can be given in primary care; continue exercise and ' +
        'weight management. Refer if night pain or function is limiting despite this for three months.',
    });
    await advice.close(gp, taskId, { outcome: 'referral-avoided', note: 'Injection booked at the practice' });
  } else if (story.then === 'converted') {
    await advice.message(consultant, taskId, {
      kind: 'question',
      text: 'Is there a painful arc or loss of active elevation? Any night pain?',
    });
    await advice.message(gp, taskId, { kind: 'reply', text: 'Yes to both: active elevation to 70 degrees only.' });
    await advice.message(consultant, taskId, {
      kind: 'propose-referral',
      priority: 'urgent',
      text: 'This suggests a cuff tear after trauma: please refer urgently to the upper limb clinic for ultrasound.',
    });
    await advice.message(gp, taskId, { kind: 'accept-referral', text: 'Agreed, referring now.' });
  } else if (story.then === 'overdue') {
    // The demo needs one past its due time; no person would move it, so the module does.
    const { resource, versionId } = await readAs<Task>(context.system, 'Task', taskId);
    const asked = new Date(Date.now() - 6 * 86_400_000);
    await context.system.update(
      'Task',
      taskId,
      {
        ...resource,
        authoredOn: asked.toISOString(),
        restriction: { period: { start: asked.toISOString(), end: addWorkingDays(asked, 2).toISOString() } },
      },
      { ifMatch: versionId },
    );
  }
  return `${story.label}`;
}
