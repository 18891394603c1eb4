import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { Actor } from './actor.ts';
import type { AgreementService } from './agreements.service.ts';
import type { AuditLog } from './audit.ts';
import { auditAdmin } from './audit-operations.ts';
import { dateBounds, type AuditFilter } from './audit-query.ts';
import { redactForPatient } from './audit-redact.ts';
import { forbidden } from './authorize.ts';
import type { BreakGlassService } from './break-glass.ts';
import type { DeclaredRelationshipService } from './declared.ts';

export interface AccessRouteDeps {
  agreements: AgreementService;
  breakGlass: BreakGlassService;
  declared: DeclaredRelationshipService;
  audit: AuditLog;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
type Query = Record<string, string | undefined>;

function signedIn(request: FastifyRequest): Actor {
  if (!request.actor) {
    throw new OperationOutcomeError(outcome(issue('error', 'login', 'Sign in first')));
  }
  return request.actor;
}

function body(request: FastifyRequest): Record<string, unknown> {
  const value = request.body;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * The access module's API under /api/access: information-sharing agreements and the sharing map,
 * break-glass, declared relationships, and the audit log. The caller is `request.actor` (set by src/auth/); errors are
 * OperationOutcomeErrors, answered by the app's error handler.
 */
export function registerAccessRoutes(app: FastifyInstance, deps: AccessRouteDeps): void {
  const { agreements, breakGlass, declared, audit } = deps;
  // Buffered audit rows (CAREWEAVE_AUDIT_BUFFER_MS) must reach the database before it closes.
  app.addHook('onClose', async () => audit.flush());

  app.get('/api/access/agreements', async (request) => {
    const query = request.query as Query;
    return { agreements: await agreements.list(request.actor, { organizationId: query.organization }) };
  });

  app.post('/api/access/agreements', async (request, reply) => {
    const created = await agreements.create(request.actor, request.body);
    return reply.code(201).header('location', `/api/access/agreements/${created.id}`).send(created);
  });

  app.get('/api/access/agreements/:id', async (request: IdRequest) => agreements.get(request.actor, request.params.id));

  app.post('/api/access/agreements/:id/sign', async (request: IdRequest) =>
    agreements.sign(request.actor, request.params.id),
  );

  app.post('/api/access/agreements/:id/withdraw', async (request: IdRequest) => {
    const reason = body(request).reason;
    return agreements.withdraw(request.actor, request.params.id, typeof reason === 'string' ? reason : undefined);
  });

  app.get('/api/access/sharing-map', async (request) => agreements.sharingMap(request.actor));

  app.post('/api/access/break-glass', async (request, reply) => {
    const { patientId, reason } = body(request);
    const session = await breakGlass.start(request.actor, patientId, reason);
    return reply.code(201).send(session);
  });

  app.get('/api/access/break-glass', async (request) => ({ sessions: await breakGlass.active(signedIn(request)) }));

  app.post('/api/access/declared-relationships', async (request, reply) => {
    const { patientId, reason } = body(request);
    return reply.code(201).send(await declared.declare(request.actor, patientId, reason));
  });

  app.get('/api/access/declared-relationships', async (request) => {
    const query = request.query as Query;
    const days = typeof query.days === 'string' ? Number(query.days) : undefined;
    return {
      declarations: await declared.list(signedIn(request), {
        organisation: query.scope === 'organisation',
        ...(days !== undefined && Number.isFinite(days) ? { days } : {}),
      }),
    };
  });

  app.delete('/api/access/declared-relationships/:id', async (request: IdRequest) =>
    declared.end(request.actor, request.params.id),
  );

  app.get('/api/access/audit', async (request) => {
    const actor = signedIn(request);
    const query = request.query as Query;
    const before = query.before === undefined ? undefined : Number(query.before);
    const count = query._count === undefined ? undefined : Number(query._count);
    if ((before !== undefined && !Number.isInteger(before)) || (count !== undefined && !Number.isInteger(count))) {
      return badRequest('before and _count must be whole numbers');
    }
    let patient = query.patient?.replace(/^Patient\//, '');
    if (actor.kind === 'patient' || actor.kind === 'related-person') {
      if (patient && patient !== actor.patientId) {
        throw forbidden('You can read only the access log of your own record or of the person you act for');
      }
      patient = actor.patientId;
      // A carer reads it as the patient's consent lets them read data of category `other` (as $access-log).
      if (actor.kind === 'related-person' && !(await audit.carerMayReadLog(actor.relatedPersonId, patient))) {
        throw forbidden('The person you act for has not shared who has looked at their record with you');
      }
    } else if (!auditAdmin(actor)) {
      throw forbidden('Only privacy officers (R0001) may read the audit log');
    }
    const listed = await audit.list({
      patient,
      before,
      count,
      ...reviewFilter(actor, request.query as Record<string, unknown>),
    });
    // The patient (and their carer) see each event only as it concerns this patient (access/audit-redact.ts).
    const ownView = actor.kind === 'patient' || actor.kind === 'related-person' ? actor.patientId : undefined;
    const entries = ownView ? await redactForPatient(audit, ownView, listed) : listed;
    const last = entries[entries.length - 1];
    return { entries, ...(last && entries.length === (count ?? 100) ? { next: { before: last.seq } } : {}) };
  });

  app.get('/api/access/audit/$verify', async (request) => {
    const actor = signedIn(request);
    if (!auditAdmin(actor)) {
      throw forbidden('Only privacy officers (R0001) may verify the audit log');
    }
    return audit.verify();
  });
}

/**
 * A privacy officer's search of the log: by agent (`Practitioner/…`, a user or client id), by
 * `date` (FHIR prefixes, repeatable as date=ge…&date=le…) and by `concern` (break-glass | refused).
 * A patient's or carer's own view takes none of these (it is filtered in the browser).
 */
function reviewFilter(actor: Actor, query: Record<string, unknown>): AuditFilter {
  if (actor.kind === 'patient' || actor.kind === 'related-person') {
    return {};
  }
  const concern = query.concern;
  if (concern !== undefined && concern !== 'break-glass' && concern !== 'refused') {
    return badRequest("concern must be 'break-glass' or 'refused'", ['concern']);
  }
  const dates = ([] as unknown[]).concat(query.date ?? []).filter((d): d is string => typeof d === 'string');
  return {
    ...(typeof query.agent === 'string' && query.agent ? { agent: query.agent } : {}),
    ...(dates.length ? dateBounds(dates) : {}),
    ...(concern ? { concern } : {}),
  };
}
