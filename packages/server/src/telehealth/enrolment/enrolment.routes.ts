import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAccess, requireStaff } from '../../access/guards.ts';
import { badRequest } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { EnrolmentRepository, type Enrolment } from './enrolment.repository.ts';

type ListRequest = FastifyRequest<{ Querystring: { patient?: string } }>;

/**
 * `GET /api/telehealth/enrolments?patient=Patient/{id}`: a patient's telehealth enrolments, for
 * staff who may see the patient — the enrolment rows are operational state labelled with the patient,
 * so they are shown only after the record says the caller may read that patient (hidden and absent
 * answer alike, 404, and the refusal is audited by the store).
 */
export function registerEnrolmentRoutes(app: FastifyInstance, context: ModuleContext): void {
  app.get('/api/telehealth/enrolments', async (request: ListRequest) => {
    const staff = requireStaff(context.actorOf(request), { doing: 'see telehealth enrolments', allowSystem: true });
    const patient = request.query.patient ?? badRequest('Give the patient: ?patient=Patient/{id}', ['patient']);
    await requireAccess(context.recordAs(staff), patient);
    const enrolments = await new EnrolmentRepository(context.db).list({ patientId: patient.replace(/^Patient\//, '') });
    return { enrolments: enrolments.map(view) };
  });
}

function view(enrolment: Enrolment) {
  return {
    carePlan: `CarePlan/${enrolment.carePlanId}`,
    protocol: { id: enrolment.protocolId, version: enrolment.protocolVersion },
    status: enrolment.status,
    problems: enrolment.problems,
    nextPromptAt: enrolment.nextPromptAt?.toISOString() ?? null,
    awaitingReply: enrolment.awaiting !== null,
    missedInARow: enrolment.misses,
  };
}
