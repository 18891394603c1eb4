/**
 * `POST Patient/{id}/$risk-score`: rescore one patient now from their current record and return the
 * RiskAssessment as the caller may see it. Staff who may see the patient only; 404 otherwise.
 */
import type { FastifyRequest } from 'fastify';
import type { RiskAssessment } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import { requireAccess, requireStaff } from '../../access/guards.ts';
import { defineOperation } from '../../fhir/operations/define.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { notFound } from '../../fhir/outcome.ts';
import type { RiskModel } from '../model/model.ts';
import { assessmentId } from './risk-assessment.ts';
import type { ScoringService } from './scoring.service.ts';

export interface RiskScoreDeps {
  actorOf(request: FastifyRequest): Actor | undefined;
  recordAs(actor: Actor): ResourceService;
  scoring: ScoringService;
  model(): RiskModel;
}

export const RISK_SCORE = defineOperation<RiskScoreDeps>({
  code: 'risk-score',
  name: 'PatientRiskScore',
  title: 'Score a patient’s risk of emergency admission now',
  description:
    'Rescores the patient from their current record with the active risk model (docs/RISK-MODEL.md) and returns the ' +
    'RiskAssessment: probability of an emergency admission in the next 12 months, band, model version and the factors ' +
    'that drove it. Staff who may see the patient only; anyone else gets 404.',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: true,
  parameters: [
    { name: 'return', use: 'out', min: 1, max: 1, type: 'RiskAssessment', documentation: 'The current score' },
  ],
  scopes: [
    { resourceType: 'Patient', interaction: 'r' },
    { resourceType: 'RiskAssessment', interaction: 'r' },
  ],
  handler: async ({ request, deps, id }) => {
    const staff = requireStaff(deps.actorOf(request), { doing: 'score a patient’s risk' });
    const record = deps.recordAs(staff);
    await requireAccess(record, `Patient/${id!}`);
    const model = deps.model();
    const row = await deps.scoring.rescore(model, id!);
    if (!row) {
      notFound(`Patient/${id!} cannot be scored (no date of birth, or deceased)`);
    }
    const stored = await record.read('RiskAssessment', assessmentId(id!, model.version));
    return { status: 200, resource: JSON.parse(stored.json ?? '{}') as RiskAssessment };
  },
});
