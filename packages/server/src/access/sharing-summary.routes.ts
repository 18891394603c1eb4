import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import { defineOperation, type ParameterDeclaration } from '../fhir/operations/define.ts';
import { registerOperations } from '../fhir/operations/registry.ts';
import { issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { AuditLog } from './audit.ts';
import { SharingSummaryService } from './sharing-summary.ts';

export interface SharingSummaryRouteOptions {
  db: Database;
  audit: AuditLog;
}

/** Reference, name and kind: the parts every recipient has (docs/FHIR.md, *The patient's sharing summary*). */
const RECIPIENT_PARTS: ParameterDeclaration[] = [
  { name: 'reference', use: 'out', min: 1, max: 1, type: 'Reference' },
  { name: 'display', use: 'out', min: 1, max: 1, type: 'string' },
  { name: 'kind', use: 'out', min: 1, max: 1, type: 'code', documentation: 'organisation | person | carer' },
  { name: 'role', use: 'out', min: 0, max: 1, type: 'code', documentation: 'Only its staff in this RBAC job role' },
  { name: 'organisationType', use: 'out', min: 0, max: 1, type: 'code' },
  { name: 'organisation', use: 'out', min: 0, max: '*', type: 'Reference' },
  {
    name: 'relationship',
    use: 'out',
    min: 0,
    max: '*',
    part: [
      { name: 'kind', use: 'out', min: 1, max: 1, type: 'code' },
      { name: 'until', use: 'out', min: 0, max: 1, type: 'dateTime' },
    ],
  },
  { name: 'seesSharingChoices', use: 'out', min: 0, max: 1, type: 'boolean' },
  {
    name: 'category',
    use: 'out',
    min: 0,
    max: '*',
    part: [
      { name: 'code', use: 'out', min: 1, max: 1, type: 'code' },
      { name: 'visible', use: 'out', min: 1, max: 1, type: 'boolean' },
      { name: 'basis', use: 'out', min: 0, max: '*', type: 'code' },
      { name: 'onlyRole', use: 'out', min: 0, max: '*', type: 'code' },
    ],
  },
];

/**
 * `GET Patient/{id}/$sharing-summary`: who can see what in the patient's record, and why
 * (docs/FHIR.md, *The patient's sharing summary*). For the patient, and a carer whose permits cover
 * every category; anyone else gets 403 (the service decides, and audits every call).
 */
export const SHARING_SUMMARY = defineOperation<SharingSummaryRouteOptions>({
  code: 'sharing-summary',
  name: 'PatientSharingSummary',
  title: 'Who can see what in my record, and why',
  description:
    'For the patient (and a carer the patient permits to see the whole record): every organisation, person and ' +
    'carer who can see part of the record, which data categories each can see, and on what basis; and unexpired ' +
    'emergency (break-glass) access. Each answer is the access policy’s own decision for that recipient. Audited.',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: false,
  methods: ['GET'],
  parameters: [
    { name: 'patient', use: 'out', min: 1, max: 1, type: 'Reference' },
    { name: 'generated', use: 'out', min: 1, max: 1, type: 'instant' },
    { name: 'recipient', use: 'out', min: 0, max: '*', part: RECIPIENT_PARTS },
    {
      name: 'emergencyAccess',
      use: 'out',
      min: 0,
      max: '*',
      part: [
        { name: 'practitioner', use: 'out', min: 1, max: 1, type: 'Reference' },
        { name: 'organisation', use: 'out', min: 0, max: 1, type: 'Reference' },
        { name: 'until', use: 'out', min: 1, max: 1, type: 'dateTime' },
      ],
    },
  ],
  // What the token must allow (beyond the service's own check): reading the Patient.
  scopes: [{ resourceType: 'Patient', interaction: 'r' }],
  handler: async ({ request, deps, id }) => {
    if (!request.actor) {
      throw new OperationOutcomeError(outcome(issue('error', 'login', 'Sign in first')));
    }
    const path = request.url.split('?')[0]!.replace(/^.*?\/fhir\/R4\//, '');
    return new SharingSummaryService(deps).summary(request.actor, id!, path);
  },
});

/**
 * Serves `$sharing-summary` (above). Register on the FHIR base.
 *
 * @example
 * registerSharingSummary(fhir, { db: platform.db, audit: platform.access.audit });
 */
export function registerSharingSummary(app: FastifyInstance, options: SharingSummaryRouteOptions): void {
  registerOperations(app, options, [SHARING_SUMMARY]);
}
