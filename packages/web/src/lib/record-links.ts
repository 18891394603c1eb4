import type { CodeableConcept, MedicationRequest, Reference, Resource } from '@medplum/fhirtypes';
import { refId, resourceTime } from './fhir-display.ts';

/**
 * How the entries of one patient's record point at each other, for the entry pages a GP opens from
 * the timeline or the summary: what happened in a visit, what is linked to a problem, and the issue
 * history of a medicine. Everything is worked out from the record already loaded (`$everything`), so
 * an entry page shows only what the caller may see and costs no further request.
 */

export interface LinkedGroup {
  /** Plain words for the heading: "Recorded in this visit", "Medicines for this problem". */
  title: string;
  entries: Resource[];
}

/** The core personal profile's own code (server care-profile/codes.ts PROFILE_TYPE). */
const CARE_PROFILE_CODE = {
  system: 'https://careweave.example/fhir/CodeSystem/care-profile',
  code: 'core-personal-profile',
};

function isCareProfile(resource: Resource): boolean {
  return (
    resource.resourceType === 'Composition' &&
    (resource.type.coding ?? []).some((c) => c.system === CARE_PROFILE_CODE.system && c.code === CARE_PROFILE_CODE.code)
  );
}

/**
 * The path of an entry's own page on the clinician's record. The core personal profile has a page
 * of its own (sections in their order, the reader's view, printing), better than a generic entry.
 */
export function entryPath(patientId: string, resource: Resource): string {
  const patient = `/patients/${encodeURIComponent(patientId)}`;
  if (isCareProfile(resource)) {
    return `${patient}/care-profile`;
  }
  return `${patient}/entries/${resource.resourceType}/${encodeURIComponent(resource.id ?? '')}`;
}

/** Every reference a resource makes, wherever it is (a shallow walk of its JSON). */
export function referencesOf(resource: Resource): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      const reference = (value as Reference).reference;
      if (typeof reference === 'string') {
        found.push(reference);
      }
      for (const [key, inner] of Object.entries(value)) {
        // A contained resource's or an extension's references are not the entry's own links.
        if (key !== 'contained' && key !== 'text') {
          walk(inner);
        }
      }
    }
  };
  walk(resource);
  return found;
}

/** Whether `from` points at `to` (relative, absolute or versioned reference). */
function pointsAt(from: Resource, to: Resource): boolean {
  return referencesOf(from).some((reference) => refId(reference, to.resourceType) === to.id);
}

function newestFirst(resources: Resource[]): Resource[] {
  return [...resources].sort((a, b) => resourceTime(b) - resourceTime(a));
}

const VISIT_GROUPS: { title: string; types: string[] }[] = [
  { title: 'Problems recorded in this visit', types: ['Condition'] },
  { title: 'Tests and measurements', types: ['Observation', 'DiagnosticReport'] },
  { title: 'Medicines prescribed', types: ['MedicationRequest'] },
  { title: 'Procedures', types: ['Procedure', 'Immunization'] },
  { title: 'Notes and letters', types: ['DocumentReference', 'Composition'] },
];

/** What was recorded in a visit: every entry whose `encounter` (or `context`) points at it. */
function inVisit(resources: Resource[], encounter: Resource): LinkedGroup[] {
  const linked = resources.filter((r) => r !== encounter && pointsAt(r, encounter));
  return VISIT_GROUPS.map(({ title, types }) => ({
    title,
    entries: newestFirst(linked.filter((r) => types.includes(r.resourceType))),
  }));
}

/** A problem-linked view: visits for it, medicines and procedures for it, plans that address it. */
function forProblem(resources: Resource[], condition: Resource): LinkedGroup[] {
  const linked = resources.filter((r) => r !== condition && pointsAt(r, condition));
  const of = (...types: string[]): Resource[] => newestFirst(linked.filter((r) => types.includes(r.resourceType)));
  return [
    { title: 'Visits for this problem', entries: of('Encounter') },
    { title: 'Medicines for this problem', entries: of('MedicationRequest') },
    { title: 'Procedures for this problem', entries: of('Procedure') },
    { title: 'Care plans and goals for this problem', entries: of('CarePlan', 'Goal') },
    { title: 'Tests and measurements', entries: of('Observation', 'DiagnosticReport') },
  ];
}

function medicineKey(concept: CodeableConcept | undefined): string | undefined {
  const coding = concept?.coding?.find((c) => c.code);
  return coding ? `${coding.system ?? ''}|${coding.code}` : concept?.text?.toLowerCase();
}

/** What medicine a request is for: its code, or the Medication it names. */
function medicineOf(request: MedicationRequest): string | undefined {
  return medicineKey(request.medicationCodeableConcept) ?? request.medicationReference?.reference;
}

/**
 * A medicine's issue history: the issues made from this repeat (`basedOn` it), and every other
 * prescription of the same medicine (same code) in the record, newest first.
 */
export function issueHistory(resources: Resource[], medicine: MedicationRequest): MedicationRequest[] {
  const key = medicineOf(medicine);
  return newestFirst(
    resources.filter(
      (r): r is MedicationRequest =>
        r.resourceType === 'MedicationRequest' &&
        r !== medicine &&
        (pointsAt(r, medicine) || (key !== undefined && medicineOf(r) === key)),
    ),
  ) as MedicationRequest[];
}

/** The groups an entry page shows under the entry itself (empty groups left out). */
export function linkedEntries(resources: Resource[], entry: Resource): LinkedGroup[] {
  let groups: LinkedGroup[];
  switch (entry.resourceType) {
    case 'Encounter':
      groups = inVisit(resources, entry);
      break;
    case 'Condition':
      groups = forProblem(resources, entry);
      break;
    case 'MedicationRequest':
      groups = [{ title: 'Issue history', entries: issueHistory(resources, entry) }];
      break;
    default:
      groups = [];
  }
  const visit = visitOf(resources, entry);
  if (visit) {
    groups.push({ title: 'Recorded in the visit', entries: [visit] });
  }
  return groups.filter((group) => group.entries.length > 0);
}

/** The visit an entry was recorded in, when it says (`encounter`, or a document's `context.encounter`). */
function visitOf(resources: Resource[], entry: Resource): Resource | undefined {
  if (entry.resourceType === 'Encounter') {
    return undefined;
  }
  const own = entry as { encounter?: Reference; context?: { encounter?: Reference[] } | Reference };
  const references = [
    own.encounter,
    ...(Array.isArray((own.context as { encounter?: Reference[] } | undefined)?.encounter)
      ? ((own.context as { encounter: Reference[] }).encounter ?? [])
      : [own.context as Reference | undefined]),
  ];
  const id = references.map((r) => refId(r, 'Encounter')).find(Boolean);
  return id ? resources.find((r) => r.resourceType === 'Encounter' && r.id === id) : undefined;
}
