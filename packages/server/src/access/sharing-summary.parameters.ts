import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { Candidate } from './sharing-summary.candidates.ts';
import type { Cell } from './sharing-summary.reasons.ts';
import type { CurrentRelationship, EmergencyAccess } from './sharing-summary.repository.ts';

export interface SummaryRecipient {
  candidate: Candidate;
  /** By category, in the order of DATA_CATEGORIES. */
  cells: Map<string, Cell>;
  seesSharingChoices: boolean;
  name: string;
}

export interface SummaryContent {
  patientId: string;
  recipients: readonly SummaryRecipient[];
  emergency: readonly EmergencyAccess[];
  /** Display names by `Type/id`. */
  names: ReadonlyMap<string, string>;
  /** CareWeave organisation types by organisation id. */
  organisationTypes: ReadonlyMap<string, string | undefined>;
}

/** The summary as the `Parameters` resource docs/FHIR.md (*The patient's sharing summary*) describes. */
export function summaryParameters(content: SummaryContent): Parameters {
  const display = (reference: string, fallback: string): string => content.names.get(reference) ?? fallback;
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueReference: { reference: `Patient/${content.patientId}` } },
      { name: 'generated', valueInstant: new Date().toISOString() },
      ...content.recipients.map((recipient) => recipientParameter(recipient, display, content.organisationTypes)),
      ...content.emergency.map((e) => emergencyParameter(e, display)),
    ],
  };
}

function recipientParameter(
  { candidate, cells, seesSharingChoices, name }: SummaryRecipient,
  display: (reference: string, fallback: string) => string,
  organisationTypes: ReadonlyMap<string, string | undefined>,
): ParametersParameter {
  const orgType = candidate.organisations.length === 1 ? organisationTypes.get(candidate.organisations[0]!) : undefined;
  const part: ParametersParameter[] = [
    { name: 'reference', valueReference: { reference: candidate.reference, display: name } },
    { name: 'display', valueString: name },
    { name: 'kind', valueCode: candidate.kind },
    ...(candidate.role ? [{ name: 'role', valueCode: candidate.role }] : []),
    ...(orgType ? [{ name: 'organisationType', valueCode: orgType }] : []),
    ...(candidate.kind === 'person'
      ? candidate.organisations.map((o) => ({
          name: 'organisation',
          valueReference: { reference: `Organization/${o}`, display: display(`Organization/${o}`, o) },
        }))
      : []),
    ...uniqueRelationships(candidate.relationships).map((r) => ({
      name: 'relationship',
      part: [{ name: 'kind', valueCode: r.kind }, ...(r.until ? [{ name: 'until', valueDateTime: r.until }] : [])],
    })),
    ...(seesSharingChoices ? [{ name: 'seesSharingChoices', valueBoolean: true }] : []),
    ...[...cells].map(([category, cell]) => ({
      name: 'category',
      part: [
        { name: 'code', valueCode: category },
        { name: 'visible', valueBoolean: cell.visible },
        ...[...cell.basis].map((basis) => ({ name: 'basis', valueCode: basis })),
        ...[...cell.onlyRoles].map((role) => ({ name: 'onlyRole', valueCode: role })),
      ],
    })),
  ];
  return { name: 'recipient', part };
}

function emergencyParameter(
  e: EmergencyAccess,
  display: (reference: string, fallback: string) => string,
): ParametersParameter {
  const practitioner = `Practitioner/${e.practitionerId}`;
  const organisation = `Organization/${e.organizationId}`;
  return {
    name: 'emergencyAccess',
    part: [
      {
        name: 'practitioner',
        valueReference: { reference: practitioner, display: display(practitioner, 'A member of staff') },
      },
      {
        name: 'organisation',
        valueReference: { reference: organisation, display: display(organisation, e.organizationId) },
      },
      { name: 'until', valueDateTime: e.expiresAt },
    ],
  };
}

/** One entry per kind of relationship; a declared one (self-claimed, time-limited) says until when. */
export function uniqueRelationships(relationships: readonly CurrentRelationship[]): { kind: string; until?: string }[] {
  const kinds = new Map<string, string | undefined>();
  for (const r of relationships) {
    const until = r.kind === 'declared' && r.validTo ? r.validTo : undefined;
    const known = kinds.get(r.kind);
    kinds.set(r.kind, known === undefined || (until !== undefined && until > known) ? until : known);
  }
  return [...kinds].map(([kind, until]) => ({ kind, ...(until ? { until } : {}) }));
}
