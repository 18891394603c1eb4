import { channelOf, channelText } from './appointment-channel.ts';
import type {
  AllergyIntolerance,
  Composition,
  Condition,
  DocumentReference,
  Encounter,
  MedicationRequest,
  Observation,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { formatDate, formatDateTime } from './dates.ts';
import { conceptText, conceptsText, displayName, refId } from './fhir-display.ts';
import { observationValue } from './observations.ts';
import { rangeText } from './test-results.ts';

/**
 * The facts of one record entry as a clinician reads them on its own page: label and value, in our
 * words, never raw codes where a display exists. Absent facts are left out rather than shown as
 * "Not recorded" (the page is about what *is* recorded).
 */
export interface EntryFact {
  label: string;
  value: string;
}

/** Finds a referenced practitioner, organisation or location among the record's referenced resources. */
export type Lookup = (reference: Reference | undefined) => string | undefined;

/** A visit's kind in our words: HL7's displays ("ambulatory", "inpatient encounter") are not how clinicians speak. */
export const ENCOUNTER_CLASS: Record<string, string> = {
  AMB: 'Clinic or surgery visit',
  EMER: 'Emergency department',
  IMP: 'Hospital stay',
  ACUTE: 'Hospital stay',
  HH: 'Home visit',
  VR: 'Video or phone consultation',
  OBSENC: 'Observation stay',
};

const ENCOUNTER_STATUS: Partial<Record<Encounter['status'], string>> = {
  planned: 'Planned',
  arrived: 'Arrived',
  triaged: 'Triaged',
  'in-progress': 'In progress now',
  onleave: 'On leave',
  finished: 'Finished',
  cancelled: 'Cancelled',
  'entered-in-error': 'Entered in error',
};

const MEDICINE_STATUS: Partial<Record<MedicationRequest['status'], string>> = {
  active: 'Active',
  'on-hold': 'On hold',
  cancelled: 'Cancelled',
  completed: 'Completed',
  'entered-in-error': 'Entered in error',
  stopped: 'Stopped',
  draft: 'Draft',
};

const INTENT: Partial<Record<MedicationRequest['intent'], string>> = {
  proposal: 'Requested by the patient',
  plan: 'Plan',
  order: 'Prescription',
  'original-order': 'Prescription',
  'reflex-order': 'Prescription',
  'filler-order': 'Prescription',
  'instance-order': 'Issue',
};

/** A FHIR status code as words: "entered-in-error" → "Entered in error". */
function sentence(code: string | undefined): string | undefined {
  return code ? code.charAt(0).toUpperCase() + code.slice(1).replace(/-/g, ' ') : undefined;
}

function fact(label: string, value: string | undefined | false): EntryFact[] {
  return value ? [{ label, value }] : [];
}

function period(start: string | undefined, end: string | undefined): string | undefined {
  if (!start) {
    return undefined;
  }
  return end ? `${formatDateTime(start)} to ${formatDateTime(end)}` : `From ${formatDateTime(start)}`;
}

function encounterFacts(e: Encounter, name: Lookup): EntryFact[] {
  return [
    ...fact('Kind of visit', ENCOUNTER_CLASS[e.class.code ?? ''] ?? e.class.display),
    ...fact('Status', ENCOUNTER_STATUS[e.status]),
    ...fact('When', period(e.period?.start, e.period?.end)),
    ...fact('Reason', conceptsText(e.reasonCode)),
    ...fact(
      'Seen by',
      (e.participant ?? [])
        .map((p) => name(p.individual))
        .filter(Boolean)
        .join(', '),
    ),
    ...fact(
      'Where',
      (e.location ?? [])
        .map((l) => name(l.location))
        .filter(Boolean)
        .join(', '),
    ),
    ...fact('Organisation', name(e.serviceProvider)),
    ...fact('Admitted from', e.hospitalization?.admitSource && conceptText(e.hospitalization.admitSource)),
    ...fact(
      'Discharged to',
      e.hospitalization?.dischargeDisposition && conceptText(e.hospitalization.dischargeDisposition),
    ),
  ];
}

function conditionFacts(c: Condition, name: Lookup): EntryFact[] {
  return [
    ...fact('Status', c.clinicalStatus && conceptText(c.clinicalStatus)),
    ...fact('Verification', c.verificationStatus && conceptText(c.verificationStatus)),
    ...fact('Since', formatDateOrUndefined(c.onsetDateTime ?? c.onsetPeriod?.start)),
    ...fact('Resolved', formatDateOrUndefined(c.abatementDateTime)),
    ...fact('Severity', c.severity && conceptText(c.severity)),
    ...fact('Recorded', formatDateOrUndefined(c.recordedDate)),
    ...fact('Recorded by', name(c.recorder ?? c.asserter)),
    ...fact('Notes', notes(c.note)),
  ];
}

function medicineFacts(m: MedicationRequest, name: Lookup): EntryFact[] {
  const repeat = m.courseOfTherapyType?.coding?.some((c) => c.code === 'continuous');
  const supply = m.dispenseRequest;
  return [
    ...fact('Kind', repeat ? 'Repeat' : (INTENT[m.intent] ?? m.intent)),
    ...fact('Status', MEDICINE_STATUS[m.status] ?? m.status),
    ...fact(
      'How to take it',
      (m.dosageInstruction ?? [])
        .map((d) => d.text)
        .filter(Boolean)
        .join('; '),
    ),
    ...fact('Quantity', supply?.quantity && `${supply.quantity.value ?? ''} ${supply.quantity.unit ?? ''}`.trim()),
    ...fact('Issues allowed before a review', supply?.numberOfRepeatsAllowed?.toString()),
    ...fact('Prescribed', formatDateOrUndefined(m.authoredOn)),
    ...fact('Prescriber', name(m.requester)),
    ...fact('Reason', conceptsText(m.reasonCode) || (m.reasonReference ?? []).map((r) => r.display).join(', ')),
    ...fact('Notes', notes(m.note)),
  ];
}

function observationFacts(o: Observation, name: Lookup): EntryFact[] {
  return [
    ...fact('Result', observationValue(o)),
    ...fact('Normal range', rangeText(o)),
    ...fact('Interpretation', o.interpretation?.length ? conceptsText(o.interpretation) : undefined),
    ...fact('Taken', formatDateTimeOrUndefined(o.effectiveDateTime ?? o.effectivePeriod?.start)),
    ...fact('Reported', formatDateTimeOrUndefined(o.issued)),
    ...fact('Category', conceptsText(o.category)),
    ...fact('By', (o.performer ?? []).map(name).filter(Boolean).join(', ')),
    ...fact('Notes', notes(o.note)),
  ];
}

function allergyFacts(a: AllergyIntolerance, name: Lookup): EntryFact[] {
  return [
    ...fact('Status', a.clinicalStatus && conceptText(a.clinicalStatus)),
    ...fact('Type', a.type === 'allergy' ? 'Allergy' : a.type === 'intolerance' ? 'Intolerance' : undefined),
    ...fact('Criticality', a.criticality),
    ...fact('Reactions', (a.reaction ?? []).map((r) => conceptsText(r.manifestation)).join('; ')),
    ...fact('Recorded', formatDateOrUndefined(a.recordedDate)),
    ...fact('Recorded by', name(a.recorder)),
  ];
}

function documentFacts(d: DocumentReference | Composition, name: Lookup): EntryFact[] {
  return [
    ...fact('Type', conceptText(d.type)),
    ...fact('Date', formatDateTimeOrUndefined(d.date)),
    ...fact('Author', (d.author ?? []).map(name).filter(Boolean).join(', ')),
    ...fact('Status', sentence(d.status)),
  ];
}

function otherFacts(resource: Resource, name: Lookup): EntryFact[] {
  switch (resource.resourceType) {
    case 'Procedure': {
      const p = resource;
      return [
        ...fact('Status', sentence(p.status)),
        ...fact('When', formatDateTimeOrUndefined(p.performedDateTime ?? p.performedPeriod?.start)),
        ...fact('Reason', conceptsText(p.reasonCode)),
        ...fact(
          'By',
          (p.performer ?? [])
            .map((x) => name(x.actor))
            .filter(Boolean)
            .join(', '),
        ),
      ];
    }
    case 'Immunization': {
      const i = resource;
      return [
        ...fact('Status', sentence(i.status)),
        ...fact('Given', formatDateOrUndefined(i.occurrenceDateTime)),
        ...fact('Batch', i.lotNumber),
      ];
    }
    case 'Appointment': {
      const a = resource;
      return [
        ...fact('Status', a.status === 'noshow' ? 'Did not attend' : sentence(a.status)),
        ...fact('When', period(a.start, a.end)),
        ...fact('How', channelText(channelOf(a.serviceType)) || undefined),
        ...fact('Reason', conceptsText(a.reasonCode) || a.comment),
        ...fact('Cancelled because', a.cancelationReason && conceptText(a.cancelationReason)),
      ];
    }
    case 'CarePlan': {
      const c = resource;
      return [
        ...fact('Status', sentence(c.status)),
        ...fact('Description', c.description),
        ...fact('Period', period(c.period?.start, c.period?.end)),
      ];
    }
    default:
      return [];
  }
}

/** The facts of any entry the clinician's record shows. */
export function entryFacts(resource: Resource, name: Lookup): EntryFact[] {
  switch (resource.resourceType) {
    case 'Encounter':
      return encounterFacts(resource, name);
    case 'Condition':
      return conditionFacts(resource, name);
    case 'MedicationRequest':
      return medicineFacts(resource, name);
    case 'Observation':
      return observationFacts(resource, name);
    case 'AllergyIntolerance':
      return allergyFacts(resource, name);
    case 'DocumentReference':
    case 'Composition':
      return documentFacts(resource, name);
    default:
      return otherFacts(resource, name);
  }
}

function notes(list: { text?: string }[] | undefined): string | undefined {
  const text = (list ?? [])
    .map((n) => n.text?.trim())
    .filter(Boolean)
    .join('\n');
  return text || undefined;
}

function formatDateOrUndefined(value: string | undefined): string | undefined {
  return value ? formatDate(value) : undefined;
}

function formatDateTimeOrUndefined(value: string | undefined): string | undefined {
  return value ? (value.length > 10 ? formatDateTime(value) : formatDate(value)) : undefined;
}

/** A name for a referenced practitioner, organisation or location, from what the record loaded. */
export function lookupIn(referenced: Map<string, Resource>): Lookup {
  return (reference) => {
    if (!reference) {
      return undefined;
    }
    const type = reference.reference?.split('/').slice(-2, -1)[0];
    const id = type ? refId(reference, type) : undefined;
    const target = type && id ? referenced.get(`${type}/${id}`) : undefined;
    const name = (target as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string') {
      return name;
    }
    if (Array.isArray(name)) {
      return displayName(name);
    }
    return reference.display;
  };
}

/**
 * The readable text of a note or letter: a plain-text attachment's words, or a document's sections'
 * narrative as text (never its XHTML: a record's narrative is not trusted markup).
 */
export function documentText(resource: Resource): { title?: string; text: string }[] {
  if (resource.resourceType === 'DocumentReference') {
    return (resource.content ?? []).flatMap(({ attachment }) => {
      if (!attachment.data || !/^text\/plain\b/i.test(attachment.contentType ?? '')) {
        return [];
      }
      return [{ title: attachment.title, text: decodeBase64Text(attachment.data) }];
    });
  }
  if (resource.resourceType === 'Composition') {
    return (resource.section ?? []).map((section) => ({
      title: section.title,
      text: narrativeText(section.text?.div ?? ''),
    }));
  }
  return [];
}

function decodeBase64Text(data: string): string {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** XHTML narrative to plain text with line breaks where blocks end (no markup survives). */
export function narrativeText(div: string): string {
  return div
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|\/p|\/li|\/tr|\/h[1-6]|\/div)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
