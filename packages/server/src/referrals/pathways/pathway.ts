/**
 * Local referral pathways (docs/REFERRALS.md, "Pathways"): guidance per specialty and condition,
 * written and versioned by the commissioner as FHIR `PlanDefinition`s (type clinical-protocol): one
 * resource per version, side by side under one `url`, each with its approval date, endorser and
 * reviewer. Actions carry the sections shown at the point of referral: referral criteria, tests to do
 * first, when advice and guidance fits better, and red flags that make it a two-week wait (H-201).
 */
import type { PlanDefinition } from '@medplum/fhirtypes';
import type { WriteCheck } from '../../fhir/store/write-checks.ts';
import { codeOf, SPECIALTY_SYSTEM } from '../lifecycle/vocabulary.ts';

export const PATHWAY_SECTION_SYSTEM = 'https://careweave.example/fhir/CodeSystem/referral-pathway-section';
export const PATHWAY_BASE = 'https://careweave.example/fhir/PlanDefinition';
export const SECTIONS = ['criteria', 'tests-first', 'advice-and-guidance', 'red-flag'] as const;
export type PathwaySection = (typeof SECTIONS)[number];

export interface PathwayView {
  id: string;
  url: string;
  version: string;
  status: PlanDefinition['status'];
  title: string;
  specialty: string;
  condition?: string;
  approvalDate?: string;
  lastReviewDate?: string;
  publisher?: string;
  endorsedBy: string[];
  reviewedBy: string[];
  sections: Record<PathwaySection, { title: string; text: string }[]>;
}

/** The specialty a PlanDefinition is a pathway for (undefined: not a referral pathway). */
export const pathwaySpecialty = (plan: PlanDefinition): string | undefined =>
  plan.useContext?.map((u) => codeOf(u.valueCodeableConcept, SPECIALTY_SYSTEM)).find(Boolean);

export function pathwayView(plan: PlanDefinition): PathwayView {
  const sections = Object.fromEntries(SECTIONS.map((s) => [s, [] as { title: string; text: string }[]])) as Record<
    PathwaySection,
    { title: string; text: string }[]
  >;
  for (const action of plan.action ?? []) {
    const section = codeOf(action.code, PATHWAY_SECTION_SYSTEM) as PathwaySection | undefined;
    if (section && section in sections) {
      sections[section].push({ title: action.title ?? '', text: action.description ?? '' });
    }
  }
  const condition = plan.useContext?.find(
    (u) => u.code.code === 'focus' && !codeOf(u.valueCodeableConcept, SPECIALTY_SYSTEM),
  );
  return {
    id: plan.id!,
    url: plan.url ?? '',
    version: plan.version ?? '',
    status: plan.status,
    title: plan.title ?? plan.name ?? '',
    specialty: pathwaySpecialty(plan) ?? '',
    ...(condition?.valueCodeableConcept?.text ? { condition: condition.valueCodeableConcept.text } : {}),
    ...(plan.approvalDate ? { approvalDate: plan.approvalDate } : {}),
    ...(plan.lastReviewDate ? { lastReviewDate: plan.lastReviewDate } : {}),
    ...(plan.publisher ? { publisher: plan.publisher } : {}),
    endorsedBy: (plan.endorser ?? []).map((c) => c.name ?? '').filter(Boolean),
    reviewedBy: (plan.reviewer ?? []).map((c) => c.name ?? '').filter(Boolean),
    sections,
  };
}

/** What makes an active pathway unsafe to show at the point of referral (empty: nothing). */
export function pathwayProblems(plan: PlanDefinition): string[] {
  if (!pathwaySpecialty(plan) || plan.status !== 'active') {
    return [];
  }
  const problems: string[] = [];
  if (!plan.version) {
    problems.push('An active referral pathway needs a version');
  }
  if (!plan.approvalDate) {
    problems.push('An active referral pathway needs its approvalDate (who approved it and when)');
  }
  if (!plan.endorser?.length && !plan.reviewer?.length) {
    problems.push('An active referral pathway needs an endorser or reviewer (who approved it)');
  }
  for (const action of plan.action ?? []) {
    if (codeOf(action.code, PATHWAY_SECTION_SYSTEM) === 'red-flag' && !action.description?.trim()) {
      problems.push(`Red flag '${action.title ?? ''}' needs a description of what to look for`);
    }
  }
  return problems;
}

/** Refuses an active pathway without version, approval or approver, or with an empty red flag (H-201). */
export const PATHWAY_CHECK: WriteCheck = {
  name: 'referrals: pathway PlanDefinition',
  types: ['PlanDefinition'],
  check: (_tx, resource) => Promise.resolve(pathwayProblems(resource as PlanDefinition)),
};

/** The current version of each pathway: the active one with the latest approval date per url. */
export function currentVersions(plans: readonly PlanDefinition[]): PlanDefinition[] {
  const best = new Map<string, PlanDefinition>();
  for (const plan of plans) {
    if (plan.status !== 'active' || !plan.url) {
      continue;
    }
    const held = best.get(plan.url);
    if (!held || (plan.approvalDate ?? '') > (held.approvalDate ?? '')) {
      best.set(plan.url, plan);
    }
  }
  return [...best.values()];
}
