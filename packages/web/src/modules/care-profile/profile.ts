import type { Composition } from '@medplum/fhirtypes';

const SECTION_SYSTEM = 'https://careweave.example/fhir/CodeSystem/care-profile-section';

export interface ProfileSection {
  key: string;
  title: string;
  /** One line per record entry (the entry's display). */
  lines: string[];
  /** What the section says when it has no entries. */
  empty: string;
}

/** The sections of a profile in its order, as lines (never the server's HTML: text only). */
export function profileSections(profile: Composition): ProfileSection[] {
  return (profile.section ?? []).map((section) => ({
    key: section.code?.coding?.find((c) => c.system === SECTION_SYSTEM)?.code ?? section.title ?? '',
    title: section.title ?? 'Untitled section',
    lines: (section.entry ?? []).map((entry) => entry.display ?? entry.reference ?? ''),
    empty: section.emptyReason?.text ?? 'Nothing recorded.',
  }));
}

/** The section titles patients choose from when suggesting a correction. */
export const SECTION_CHOICES: { key: string; title: string }[] = [
  { key: 'respect', title: 'DNACPR and ReSPECT' },
  { key: 'contacts', title: 'Key contacts and carers' },
  { key: 'allergies', title: 'Allergies' },
  { key: 'conditions', title: 'Conditions' },
  { key: 'medicines', title: 'Medicines' },
  { key: 'what-matters', title: 'What matters to me' },
  { key: 'communication', title: 'Communication needs' },
  { key: 'care-plan', title: 'Care plan' },
  { key: 'end-of-life', title: 'Anticipatory care and end-of-life wishes' },
];

export const sectionTitle = (key: string | undefined): string =>
  SECTION_CHOICES.find((s) => s.key === key)?.title ?? 'The whole profile';
