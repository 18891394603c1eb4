/**
 * The lifecycle's demo data (idempotent: nothing when any electronic referral exists): demo.gp's
 * referral history for the demo patient and three more of the practice's patients — a booked MSK
 * referral, one returned with advice (with the patient's plain-English letter), one on the
 * slot-issues list, and a two-week wait — made through the lifecycle as the people who would make
 * them (demo.gp, demo.triager), so every write goes through their view. Needs the directory's
 * services; a step the directory cannot serve is skipped and said so.
 */
import type { Patient, QuestionnaireResponse, RelatedPerson } from '@medplum/fhirtypes';
import type { OrganisationType, StaffActor } from '../../access/actor.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { buildInfrastructureModel } from '../../seed/infrastructure.ts';
import type { ReferralsSettings } from '../settings.ts';
import type { ReferralLifecycle } from './referral.service.ts';
import { CATEGORY, searchAs } from './vocabulary.ts';

const staff = (
  practitionerId: string,
  organizationId: string,
  type: OrganisationType,
  roleCode: string,
): StaffActor => ({
  kind: 'staff',
  userId: `demo-seed-${practitionerId}`,
  practitionerId,
  organizationId,
  organizationType: type,
  roleCode,
  scopes: ['user/*.cruds'],
});

const item = (linkId: string, value: string | boolean | { code: string }) => ({
  linkId,
  answer: [
    typeof value === 'string'
      ? { valueString: value }
      : typeof value === 'boolean'
        ? { valueBoolean: value }
        : { valueCoding: value },
  ],
});

interface Story {
  label: string;
  specialty: string;
  priority: 'routine' | 'urgent' | 'two-week-wait';
  reason: string;
  form: string;
  answers: ReturnType<typeof item>[];
  /** Which shortlisted service to choose, and what to do. */
  choose: 'bookable' | 'triage' | 'longest-wait';
  action: 'book' | 'defer' | 'triage';
  then?: 'return-with-advice';
}

const STORIES: readonly Story[] = [
  {
    label: 'booked MSK referral',
    specialty: 'msk',
    priority: 'routine',
    reason: 'Right knee pain for six months despite physiotherapy; struggling with stairs',
    form: 'msk',
    answers: [
      item('reason', 'Right knee pain for six months despite physiotherapy; struggling with stairs'),
      item('duration', { code: '3-to-12-months' }),
      item('tried-physiotherapy', true),
      item('imaging', 'Weight-bearing X-ray: moderate medial compartment narrowing'),
    ],
    choose: 'bookable',
    action: 'book',
  },
  {
    // Orthopaedics, whose referral assessment service is the hospital's, where demo.triager works.
    label: 'orthopaedic referral returned with advice',
    specialty: 'trauma-orthopaedics',
    priority: 'routine',
    reason: 'Low back pain for eight weeks, no red flags, would like a specialist view',
    form: 'msk',
    answers: [
      item('reason', 'Low back pain for eight weeks, no red flags, would like a specialist view'),
      item('duration', { code: '6-weeks-to-3-months' }),
      item('tried-physiotherapy', false),
    ],
    choose: 'triage',
    action: 'triage',
    then: 'return-with-advice',
  },
  {
    label: 'cardiology referral on the slot-issues list',
    specialty: 'cardiology',
    priority: 'urgent',
    reason: 'Exertional breathlessness with a new murmur; echo needed',
    form: 'cardiology',
    answers: [
      item('reason', 'Exertional breathlessness with a new murmur; echo needed'),
      item('ecg-done', true),
      item('ecg-findings', 'Sinus rhythm, left ventricular hypertrophy by voltage'),
    ],
    choose: 'longest-wait',
    action: 'book',
  },
  {
    label: 'two-week-wait referral',
    specialty: 'dermatology',
    priority: 'two-week-wait',
    reason: 'Changing pigmented lesion on the back, 7-point checklist score 4',
    form: 'suspected-cancer',
    answers: [
      item('cancer-site', { code: 'skin' }),
      item('criteria', 'NG12 1.7.1: weighted 7-point checklist score 4 (change in size, irregular pigment)'),
      item('patient-informed', true),
      item('patient-available', true),
    ],
    choose: 'bookable',
    action: 'defer',
  },
];

async function demoPatient(context: Pick<ModuleContext, 'system'>): Promise<string | undefined> {
  const carer = await context.system.read('RelatedPerson', 'rp-demo-carer').catch(() => undefined);
  return carer?.json ? (JSON.parse(carer.json) as RelatedPerson).patient.reference?.split('Patient/')[1] : undefined;
}

/** Makes the demo referral history; returns what it made (empty: nothing, already there or no directory). */
export async function seedReferralHistory(
  context: ModuleContext<ReferralsSettings>,
  lifecycle: ReferralLifecycle,
  seed = 1,
): Promise<string> {
  const existing = await context.system.search('ServiceRequest', [
    ['category', `${CATEGORY.coding![0]!.system}|${CATEGORY.coding![0]!.code}`],
    ['_summary', 'count'],
  ]);
  if ((existing.total ?? 0) > 0) {
    return '';
  }
  const model = buildInfrastructureModel(seed);
  const practice = model.practices[0];
  const acute = model.orgIds.get('acute');
  const patient = await demoPatient(context);
  if (!practice || !acute || !patient) {
    return '';
  }
  const gp = staff(practice.gps[0]!.id, practice.orgId, 'gp-practice', 'R8000');
  const triager = staff('prac-demo-triager', acute, 'acute-trust', 'R8003');
  const adults = await searchAs<Patient>(context.system, 'Patient', [
    ['general-practitioner', `Organization/${practice.orgId}`],
    ['deceased', 'false'],
    ['birthdate', `le${new Date().getUTCFullYear() - 18}`],
    ['_sort', '_id'],
    ['_count', '30'],
  ]);
  const others = adults.map((p) => p.id!).filter((id) => id !== patient);
  const made: string[] = [];
  for (const [index, story] of STORIES.entries()) {
    // The demo patient first; then others of the practice (the demo patient again in a tiny population).
    const patientId = index === 0 ? patient : (others[index - 1] ?? patient);
    if (!patientId) {
      made.push(`${story.label}: skipped (no patient)`);
      continue;
    }
    try {
      made.push(await tell(context, lifecycle, { gp, triager, patientId, story }));
    } catch (error) {
      context.log.warn({ err: error }, `Referrals demo: skipped the ${story.label}`);
      made.push(`${story.label}: skipped (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return made.length ? `demo referrals (${made.join('; ')})` : '';
}

async function tell(
  context: ModuleContext<ReferralsSettings>,
  lifecycle: ReferralLifecycle,
  { gp, triager, patientId, story }: { gp: StaffActor; triager: StaffActor; patientId: string; story: Story },
): Promise<string> {
  const form = await context.recordAs(gp).create('QuestionnaireResponse', {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: `https://careweave.example/fhir/Questionnaire/referral-form-${story.form}|1.0.0`,
    subject: { reference: `Patient/${patientId}` },
    author: { reference: `Practitioner/${gp.practitionerId}` },
    authored: new Date().toISOString(),
    item: story.answers,
  } satisfies QuestionnaireResponse);
  const draft = await lifecycle.draft(gp, {
    patientId,
    specialty: story.specialty,
    priority: story.priority,
    reason: story.reason,
    form: form.resource.id,
  });
  const id = draft.serviceRequest.split('/')[1]!;
  const { options } = await lifecycle.shortlist(gp, id);
  const chosen =
    story.choose === 'triage'
      ? (options.find((o) => o.triage && o.provider.id === triager.organizationId) ??
        options.find((o) => o.triage) ??
        options[0])
      : story.choose === 'longest-wait'
        ? [...options]
            .filter((o) => o.directlyBookable)
            .sort((a, b) => (b.indicativeWaitDays ?? 0) - (a.indicativeWaitDays ?? 0))[0]
        : (options.find((o) => o.directlyBookable) ?? options[0]);
  if (!chosen) {
    throw new Error(`no ${story.specialty} service in the directory`);
  }
  const action = story.action === 'book' && !chosen.directlyBookable ? 'defer' : story.action;
  const sent = await lifecycle.send(gp, id, { serviceId: chosen.serviceId, action });
  if (story.then === 'return-with-advice' && sent.task) {
    const triage = await lifecycle.triage(triager, sent.task.split('/')[1]!, {
      decision: 'return',
      reason: 'manage-in-primary-care',
      advice:
        'Non-specific low back pain without red flags: continue activity, simple analgesia, and refer to the ' +
        'community physiotherapy self-referral service; re-refer if no better in 12 weeks.',
    });
    return `${story.label}: ${triage.businessStatus ?? triage.status}`;
  }
  return `${story.label}: ${sent.businessStatus ?? sent.status}`;
}
