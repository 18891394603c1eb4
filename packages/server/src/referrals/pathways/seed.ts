/**
 * The commissioner's demo pathways (idempotent): MSK knee pain in two versions side by side (the
 * second replaces the first from its approval date), suspected skin cancer, post-menopausal bleeding
 * and chest pain. Written as the module's system actor on behalf of the commissioner (its record).
 */
import type { Organization, PlanDefinition, PlanDefinitionAction } from '@medplum/fhirtypes';
import type { ModuleContext } from '../../modules/contract.ts';
import { concept, SPECIALTY_SYSTEM, searchAs } from '../lifecycle/vocabulary.ts';
import { PATHWAY_BASE, PATHWAY_SECTION_SYSTEM, type PathwaySection } from './pathway.ts';

const action = (section: PathwaySection, title: string, description: string): PlanDefinitionAction => ({
  code: [concept(PATHWAY_SECTION_SYSTEM, section)],
  title,
  description,
});

interface Def {
  id: string;
  slug: string;
  version: string;
  approvalDate: string;
  specialty: string;
  condition: string;
  title: string;
  actions: PlanDefinitionAction[];
}

const DEFS: readonly Def[] = [
  {
    id: 'pathway-msk-knee-v1',
    slug: 'msk-knee-pain',
    version: '1.0',
    approvalDate: '2025-03-01',
    specialty: 'msk',
    condition: 'Knee pain',
    title: 'Knee pain in adults',
    actions: [
      action('criteria', 'Refer when', 'Pain and loss of function for 3 months despite 6 weeks of exercise therapy.'),
      action('tests-first', 'Before referring', 'Weight-bearing knee X-ray if over 45.'),
      action('red-flag', 'Hot swollen joint', 'Suspected septic arthritis: same-day assessment, not a referral.'),
    ],
  },
  {
    id: 'pathway-msk-knee-v2',
    slug: 'msk-knee-pain',
    version: '2.0',
    approvalDate: '2026-09-01',
    specialty: 'msk',
    condition: 'Knee pain',
    title: 'Knee pain in adults',
    actions: [
      action(
        'criteria',
        'Refer when',
        'Pain and loss of function for 3 months despite 12 weeks of supervised exercise therapy and weight management.',
      ),
      action('tests-first', 'Before referring', 'No routine X-ray under 45; weight-bearing X-ray over 45.'),
      action('advice-and-guidance', 'Ask for advice instead', 'Uncertain diagnosis without mechanical symptoms.'),
      action(
        'red-flag',
        'Unexplained mass',
        'A lump in the bone or soft tissue that is growing, or bone pain at night with a mass: suspected sarcoma, two-week wait.',
      ),
    ],
  },
  {
    id: 'pathway-derm-lesion-v1',
    slug: 'dermatology-skin-lesion',
    version: '1.0',
    approvalDate: '2026-01-15',
    specialty: 'dermatology',
    condition: 'Pigmented skin lesion',
    title: 'Pigmented skin lesions',
    actions: [
      action(
        'criteria',
        'Refer when',
        'A lesion that has changed, with photographs attached (dermatoscopic if possible).',
      ),
      action('advice-and-guidance', 'Ask for advice instead', 'Benign-looking lesions: send photographs for advice.'),
      action(
        'red-flag',
        'Suspected melanoma',
        'Weighted 7-point checklist score of 3 or more, or dermoscopy suggesting melanoma: two-week wait.',
      ),
    ],
  },
  {
    id: 'pathway-gyn-pmb-v1',
    slug: 'gynaecology-postmenopausal-bleeding',
    version: '1.0',
    approvalDate: '2026-02-01',
    specialty: 'gynaecology',
    condition: 'Post-menopausal bleeding',
    title: 'Post-menopausal bleeding',
    actions: [
      action('tests-first', 'Before referring', 'Do not delay the referral for a scan.'),
      action('red-flag', 'Post-menopausal bleeding at 55 or over', 'Suspected endometrial cancer: two-week wait.'),
    ],
  },
  {
    id: 'pathway-cardio-chest-pain-v1',
    slug: 'cardiology-stable-chest-pain',
    version: '1.0',
    approvalDate: '2026-04-20',
    specialty: 'cardiology',
    condition: 'Stable chest pain',
    title: 'Stable chest pain of recent onset',
    actions: [
      action('criteria', 'Refer when', 'Typical or atypical angina: rapid access chest pain clinic.'),
      action('tests-first', 'Before referring', '12-lead ECG, full blood count, lipids, HbA1c.'),
      action('red-flag', 'Pain at rest or lasting over 15 minutes', 'Possible acute coronary syndrome: call 999.'),
    ],
  },
];

async function commissioner(context: Pick<ModuleContext, 'system'>): Promise<Organization | undefined> {
  const [ccg] = await searchAs<Organization>(context.system, 'Organization', [
    ['type', 'https://careweave.example/fhir/CodeSystem/organisation-type|commissioner'],
    ['_count', '1'],
  ]);
  return ccg;
}

export function pathwayResource(def: Def, ccg: Organization | undefined): PlanDefinition {
  const publisher = ccg?.name ?? 'Commissioner';
  return {
    resourceType: 'PlanDefinition',
    id: def.id,
    ...(ccg?.id ? { meta: { source: `Organization/${ccg.id}` } } : {}),
    url: `${PATHWAY_BASE}/${def.slug}`,
    version: def.version,
    name: def.slug.replace(/-/g, '_'),
    title: def.title,
    type: concept('http://terminology.hl7.org/CodeSystem/plan-definition-type', 'clinical-protocol'),
    status: 'active',
    date: def.approvalDate,
    publisher,
    approvalDate: def.approvalDate,
    lastReviewDate: def.approvalDate,
    endorser: [{ name: `${publisher} clinical policy group` }],
    reviewer: [{ name: `${publisher} planned care board` }],
    useContext: [
      {
        code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' },
        valueCodeableConcept: concept(SPECIALTY_SYSTEM, def.specialty),
      },
      {
        code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' },
        valueCodeableConcept: { text: def.condition },
      },
    ],
    action: def.actions,
  };
}

/** Writes the demo pathways that are missing; returns how many. */
export async function seedPathways(context: Pick<ModuleContext, 'system'>): Promise<number> {
  const ccg = await commissioner(context);
  let made = 0;
  for (const def of DEFS) {
    const exists = await context.system.read('PlanDefinition', def.id).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await context.system.update('PlanDefinition', def.id, pathwayResource(def, ccg));
      made++;
    }
  }
  return made;
}
