/**
 * The core personal profile as a FHIR `Composition` (pure): one section per part of the profile,
 * each entry a reference to the record entry it came from with its line as `display`, and the
 * section's narrative the list of those lines. A reader's copy is the same document with only the
 * entries that reader may see (`forReader`), its narrative rebuilt from them.
 */
import type {
  AllergyIntolerance,
  CarePlan,
  CareTeam,
  Composition,
  CompositionSection,
  Condition,
  Flag,
  Goal,
  MedicationRequest,
  Organization,
  Patient,
  Reference,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import { PROFILE_TYPE, SECTION_SYSTEM, SECTIONS, type SectionKey } from './codes.ts';
import {
  allergyLine,
  carePlanLine,
  careTeamLine,
  conditionLine,
  flagLine,
  goalLine,
  medicineLine,
  relatedPersonLine,
  respectLine,
} from './lines.ts';

/** What a profile is built from: the patient's current record entries, already chosen (record.ts). */
export interface ProfileInputs {
  patient: Patient;
  /** `Organization/{id}` of the registered practice: the profile's author, custodian and source. */
  practice?: string;
  relatedPersons: RelatedPerson[];
  careTeams: CareTeam[];
  conditions: Condition[];
  medicines: MedicationRequest[];
  allergies: AllergyIntolerance[];
  carePlans: CarePlan[];
  whatMatters: Goal[];
  endOfLife: Goal[];
  communication: Flag[];
  /** Newest first: only the newest form is in force. */
  respect: Flag[];
}

export const PROFILE_NOTICE =
  'Generated from the shared record. It shows only what you may see of the record, so it may not be ' +
  'complete: check the record and ask the person.';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const div = (inner: string): string => `<div xmlns="http://www.w3.org/1999/xhtml">${inner}</div>`;

const ref = (resource: Resource, display: string): Reference => ({
  reference: `${resource.resourceType}/${resource.id}`,
  display,
});

/** The section's narrative: its entries' lines, or what it says when it has none. */
function sectionText(key: SectionKey, entries: readonly Reference[]): CompositionSection['text'] {
  const spec = SECTIONS.find((s) => s.key === key)!;
  const inner = entries.length
    ? `<ul>${entries.map((e) => `<li>${escape(e.display ?? '')}</li>`).join('')}</ul>`
    : `<p>${escape(spec.empty)}</p>`;
  return { status: 'generated', div: div(inner) };
}

function section(key: SectionKey, entries: Reference[]): CompositionSection {
  const spec = SECTIONS.find((s) => s.key === key)!;
  const coding = [
    { system: SECTION_SYSTEM, code: key, display: spec.title },
    ...(spec.loinc ? [{ system: 'http://loinc.org', code: spec.loinc }] : []),
  ];
  return {
    title: spec.title,
    code: { coding, text: spec.title },
    text: sectionText(key, entries),
    ...(entries.length ? { entry: entries } : { emptyReason: { text: spec.empty } }),
  };
}

/** Whether a resource is about `patientId` (a guard against filing one person's entry in another's profile: H-162). */
export function isAbout(resource: Resource, patientId: string): boolean {
  const target = `Patient/${patientId}`;
  const r = resource as { subject?: Reference; patient?: Reference; for?: Reference };
  return [r.subject, r.patient, r.for].some((reference) => reference?.reference === target);
}

/** The entries of each section, in order. */
export function sectionEntries(inputs: ProfileInputs): Record<SectionKey, Reference[]> {
  const id = inputs.patient.id!;
  const mine = <T extends Resource>(list: T[]): T[] => list.filter((r) => isAbout(r, id));
  return {
    respect: mine(inputs.respect)
      .slice(0, 1)
      .map((f) => ref(f, respectLine(f))),
    contacts: [
      ...mine(inputs.relatedPersons).map((p) => ref(p, relatedPersonLine(p))),
      ...mine(inputs.careTeams).map((t) => ref(t, careTeamLine(t))),
    ],
    allergies: mine(inputs.allergies).map((a) => ref(a, allergyLine(a))),
    conditions: mine(inputs.conditions).map((c) => ref(c, conditionLine(c))),
    medicines: mine(inputs.medicines).map((m) => ref(m, medicineLine(m))),
    'what-matters': mine(inputs.whatMatters).map((g) => ref(g, goalLine(g))),
    communication: mine(inputs.communication).map((f) => ref(f, flagLine(f))),
    'care-plan': mine(inputs.carePlans).map((p) => ref(p, carePlanLine(p))),
    'end-of-life': mine(inputs.endOfLife).map((g) => ref(g, goalLine(g))),
  };
}

/**
 * The profile built from `inputs`, dated `now`. `previous` makes it the next version of the same
 * document (status `amended`); without it, a new one (`final`).
 */
export function buildProfile(inputs: ProfileInputs, now: Date, previous?: Composition): Composition {
  const entries = sectionEntries(inputs);
  const subject = { reference: `Patient/${inputs.patient.id}` };
  const author: Reference<Organization> = inputs.practice
    ? { reference: inputs.practice }
    : { display: 'CareWeave, generated from the record' };
  return {
    resourceType: 'Composition',
    ...(previous?.id ? { id: previous.id } : {}),
    // The practice's record: the same access labels as the rest of the patient's GP record.
    ...(inputs.practice ? { meta: { source: inputs.practice } } : {}),
    status: previous ? 'amended' : 'final',
    type: PROFILE_TYPE,
    subject,
    date: now.toISOString(),
    author: [author],
    title: 'Core personal profile',
    ...(inputs.practice ? { custodian: { reference: inputs.practice } } : {}),
    text: { status: 'generated', div: div(`<p>${escape(PROFILE_NOTICE)}</p>`) },
    section: SECTIONS.map((spec) => section(spec.key, entries[spec.key])),
  };
}

/** Whether two profiles say the same (ignoring when they were made): nothing to write if so. */
export function sameContent(a: Composition, b: Composition): boolean {
  return canonical(a.section) === canonical(b.section) && a.subject?.reference === b.subject?.reference;
}

/** JSON with keys sorted: the store may give keys back in another order than they were written. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The section of a profile with `key`. */
export function sectionOf(profile: Composition, key: SectionKey): CompositionSection | undefined {
  return profile.section?.find((s) => s.code?.coding?.some((c) => c.system === SECTION_SYSTEM && c.code === key));
}

/**
 * A reader's copy: only the entries in `visible` (references the reader may read), each section's
 * narrative rebuilt from them. Hidden and absent look the same: a section whose entries are all
 * hidden reads as an empty one.
 */
export function forReader(profile: Composition, visible: ReadonlySet<string>): Composition {
  return {
    ...profile,
    section: (profile.section ?? []).map((s) => {
      const key = s.code?.coding?.find((c) => c.system === SECTION_SYSTEM)?.code as SectionKey | undefined;
      if (!key) {
        return s;
      }
      const kept = (s.entry ?? []).filter((e) => e.reference && visible.has(e.reference));
      return section(key, kept);
    }),
  };
}

/** Every record entry a profile references. */
export function profileReferences(profile: Composition): string[] {
  return (profile.section ?? []).flatMap((s) => (s.entry ?? []).flatMap((e) => (e.reference ? [e.reference] : [])));
}
