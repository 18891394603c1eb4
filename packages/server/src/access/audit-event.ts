import type {
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  CodeableConcept,
  Coding,
  Extension,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { fhirDefinitions } from '../fhir/definitions.ts';
import type { AuditEntry } from './audit.ts';
import { ACT_REASON_SYSTEM as ACT_REASON, RBAC_JOB_ROLE_SYSTEM } from '@careweave/vocabulary';

/** The extension carrying a row's place in its hash chain, so an exported AuditEvent can be verified. */
export const AUDIT_CHAIN_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/audit-chain';
/** The PractitionerRole a staff agent acted in. */
export const PRACTITIONER_ROLE_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/audit-practitioner-role';
/** CareWeave's own name for the interaction (lossless: `break-glass`, `agreement-sign`, …). */
export const AUDIT_INTERACTION_SYSTEM = 'https://careweave.example/fhir/CodeSystem/audit-interaction';
export { RBAC_JOB_ROLE_SYSTEM };
export const CLIENT_ID_SYSTEM = 'https://careweave.example/fhir/Id/client-id';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SECURITY_ROLE = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';

const REST_TYPE: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  code: 'rest',
  display: 'RESTful Operation',
};

/** CareWeave interaction → [restful-interaction code, action]. */
const REST: Record<string, [string, AuditEvent['action']]> = {
  read: ['read', 'R'],
  vread: ['vread', 'R'],
  history: ['history', 'R'],
  search: ['search-type', 'E'],
  everything: ['operation', 'E'],
  create: ['create', 'C'],
  update: ['update', 'U'],
  patch: ['patch', 'U'],
  delete: ['delete', 'D'],
};

/** Events of the access module itself: [type, subtype] from DICOM. */
const SECURITY: Record<string, [Coding, Coding]> = {
  'break-glass': [
    { system: DCM, code: '110113', display: 'Security Alert' },
    { system: DCM, code: '110127', display: 'Emergency Override Started' },
  ],
  'agreement-create': [
    { system: DCM, code: '110113', display: 'Security Alert' },
    { system: DCM, code: '110129', display: 'Security Configuration' },
  ],
  'audit-log-read': [
    { system: DCM, code: '110101', display: 'Audit Log Used' },
    { system: RESTFUL, code: 'operation', display: 'operation' },
  ],
  'audit-log-export': [
    { system: DCM, code: '110106', display: 'Export' },
    { system: RESTFUL, code: 'operation', display: 'operation' },
  ],
};
// A declared relationship changes what the user may see: DICOM "User Security Attributes Changed".
SECURITY['declare-relationship'] = [
  { system: DCM, code: '110113', display: 'Security Alert' },
  { system: DCM, code: '110137', display: 'User Security Attributes Changed' },
];
SECURITY['end-declared-relationship'] = SECURITY['declare-relationship'];
SECURITY['agreement-sign'] = SECURITY['agreement-create']!;
SECURITY['agreement-withdraw'] = SECURITY['agreement-create']!;

const PURPOSES: Record<string, Coding> = {
  'direct-care': { system: ACT_REASON, code: 'TREAT', display: 'treatment' },
  'patient-access': { system: ACT_REASON, code: 'PATRQT', display: 'patient requested' },
  'carer-access': { system: ACT_REASON, code: 'FAMRQT', display: 'family requested' },
  integration: { system: ACT_REASON, code: 'HOPERAT', display: 'healthcare operations' },
  // Secondary-use clients (secondary-use.ts): the purposes the National Data Opt-out covers.
  planning: { system: ACT_REASON, code: 'CAREMGT', display: 'care management' },
  research: { system: ACT_REASON, code: 'HRESCH', display: 'healthcare research' },
};

export interface AuditEventContext {
  /** This server's FHIR base: the observer. */
  fhirBase: string;
  /** Display names by reference (AuditLog.displayNames). */
  names?: ReadonlyMap<string, string>;
}

/**
 * One audit_log row as a FHIR R4 AuditEvent (id = seq). Denials (decision `deny…`) have outcome 4;
 * a break-glass access carries purpose BTG with the reason. The chain extension holds seq, chain,
 * prev_hash, hash and (when present) the canonical text the hash covers, so
 * sha256(prevHash || canonical) = hash can be checked without the database.
 */
export function toAuditEvent(entry: AuditEntry, context: AuditEventContext): AuditEvent {
  const rest = REST[entry.interaction];
  const security = SECURITY[entry.interaction];
  const own: Coding = { system: AUDIT_INTERACTION_SYSTEM, code: entry.interaction };
  const purpose = purposeOfUse(entry);
  const denied = entry.decision.startsWith('deny');
  const names = context.names ?? new Map<string, string>();
  const entity = entities(entry, names, Boolean(rest));
  const description = outcomeDescription(entry);
  return {
    resourceType: 'AuditEvent',
    id: String(entry.seq),
    meta: { lastUpdated: entry.recordedAt },
    extension: [chainExtension(entry)],
    type: security?.[0] ?? REST_TYPE,
    subtype: [security?.[1] ?? { system: RESTFUL, code: rest?.[0] ?? 'operation' }, own],
    action: rest?.[1] ?? 'E',
    recorded: entry.recordedAt,
    outcome: denied ? '4' : '0',
    ...(description ? { outcomeDesc: description } : {}),
    ...(purpose.length ? { purposeOfEvent: purpose } : {}),
    agent: agents(entry, purpose, names),
    source: {
      site: 'CareWeave',
      observer: { identifier: { system: 'urn:ietf:rfc:3986', value: context.fhirBase }, display: 'CareWeave' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    ...(entity.length ? { entity } : {}),
  };
}

function outcomeDescription(entry: AuditEntry): string | undefined {
  if (entry.breakGlassReason) {
    return `Break-glass: ${entry.breakGlassReason}`;
  }
  if (entry.decision.startsWith('deny')) {
    return `Denied (${entry.decision})`;
  }
  // Rows of the access module keep a free-text note in `query` (e.g. why an agreement was withdrawn).
  return !REST[entry.interaction] && entry.query ? entry.query : undefined;
}

function purposeOfUse(entry: AuditEntry): CodeableConcept[] {
  const usual = entry.purpose ? PURPOSES[entry.purpose] : undefined;
  const purposes: CodeableConcept[] = [];
  if (entry.breakGlassReason) {
    purposes.push({
      coding: [{ system: ACT_REASON, code: 'BTG', display: 'break the glass' }],
      text: entry.breakGlassReason,
    });
  }
  if (usual) {
    purposes.push({ coding: [usual] });
  } else if (entry.purpose) {
    purposes.push({ text: entry.purpose });
  }
  return purposes;
}

function str(actor: Record<string, unknown>, key: string): string | undefined {
  const value = actor[key];
  return typeof value === 'string' ? value : undefined;
}

function ref<T extends Resource>(reference: string, names: ReadonlyMap<string, string>): Reference<T> {
  const display = names.get(reference);
  return { reference, ...(display ? { display } : {}) };
}

const HUMAN: CodeableConcept = { coding: [{ system: SECURITY_ROLE, code: 'humanuser', display: 'human user' }] };

/** The requestor (the person or client) and, for staff, their organisation as a second agent. */
function agents(entry: AuditEntry, purpose: CodeableConcept[], names: ReadonlyMap<string, string>): AuditEventAgent[] {
  const actor = entry.actor;
  const userId = str(actor, 'userId');
  const base = {
    requestor: true,
    ...(userId ? { altId: userId } : {}),
    ...(purpose.length ? { purposeOfUse: purpose } : {}),
  };
  switch (str(actor, 'kind')) {
    case 'staff': {
      const role = str(actor, 'role');
      const practitionerRole = str(actor, 'practitionerRole');
      const organization = str(actor, 'organization');
      const person: AuditEventAgent = {
        ...(practitionerRole
          ? { extension: [{ url: PRACTITIONER_ROLE_EXTENSION, valueReference: { reference: practitionerRole } }] }
          : {}),
        type: HUMAN,
        ...(role ? { role: [{ coding: [{ system: RBAC_JOB_ROLE_SYSTEM, code: role }] }] } : {}),
        who: ref(str(actor, 'practitioner') ?? `Practitioner/unknown`, names),
        ...base,
      };
      if (!organization) {
        return [person];
      }
      const org: AuditEventAgent = {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass',
              code: 'PROV',
              display: 'healthcare provider',
            },
          ],
        },
        who: ref(organization, names),
        requestor: false,
      };
      return [person, org];
    }
    case 'patient':
      return [{ type: HUMAN, who: ref(str(actor, 'patient') ?? 'Patient/unknown', names), ...base }];
    case 'related-person':
      return [{ type: HUMAN, who: ref(str(actor, 'relatedPerson') ?? 'RelatedPerson/unknown', names), ...base }];
    default: {
      const clientId = str(actor, 'clientId') ?? 'unknown';
      return [
        {
          type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
          who: { identifier: { system: CLIENT_ID_SYSTEM, value: clientId }, display: clientId },
          ...base,
        },
      ];
    }
  }
}

/** Each patient, each other resource referenced, and the query of a search. */
function entities(entry: AuditEntry, names: ReadonlyMap<string, string>, rest: boolean): AuditEventEntity[] {
  const types = fhirDefinitions().resourceTypes;
  const patients = entry.patientIds.map((id) => `Patient/${id}`);
  const out: AuditEventEntity[] = patients.map((reference) => ({
    what: ref(reference, names),
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
  }));
  for (const reference of entry.resourceRefs) {
    if (patients.includes(reference)) {
      continue;
    }
    const [type, id] = reference.split('/');
    // Not every reference is to a FHIR resource (sharing agreements live in their own tables).
    const what: Reference = types.has(type ?? '')
      ? { reference }
      : {
          identifier: { system: `https://careweave.example/fhir/Id/${type ?? 'unknown'}`, value: id ?? reference },
          display: reference,
        };
    out.push({
      what,
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  }
  if (rest && entry.query) {
    out.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      query: Buffer.from(entry.query, 'utf8').toString('base64'),
    });
  }
  return out;
}

function chainExtension(entry: AuditEntry): Extension {
  const parts: Extension[] = [
    { url: 'seq', valueString: String(entry.seq) },
    { url: 'chain', valueInteger: entry.chain },
    { url: 'prevHash', valueString: entry.prevHash },
    { url: 'hash', valueString: entry.hash },
  ];
  if (entry.checkpoint) {
    parts.push({ url: 'checkpoint', valueString: JSON.stringify(entry.checkpoint) });
  }
  if (entry.canonical !== undefined) {
    parts.push({ url: 'canonical', valueBase64Binary: Buffer.from(entry.canonical, 'utf8').toString('base64') });
  }
  return { url: AUDIT_CHAIN_EXTENSION, extension: parts };
}
