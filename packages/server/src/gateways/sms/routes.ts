import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, fail } from '../../fhir/outcome.ts';
import { normalisePhone } from './phone.ts';
import type { SmsService } from './sms.service.ts';
import type { WebhookCheck } from './webhook-auth.ts';

/** The staff and system API under /api/sms (the app's sign-in hook requires a token there). */
export function registerSmsApiRoutes(app: FastifyInstance, service: SmsService): void {
  app.get('/api/sms/messages', async (request) =>
    service.list(request.actor, request.query as { reference?: string; phone?: string; _count?: string }),
  );
  app.post('/api/sms/loopback/inbound', async (request) =>
    service.simulateInbound(request.actor, (request.body ?? {}) as Record<string, unknown>),
  );
}

/** Notify's JSON callbacks: an inbound text has `source_number`; a delivery receipt has `status`. */
interface NotifyCallback {
  id?: unknown;
  source_number?: unknown;
  message?: unknown;
  reference?: unknown;
  status?: unknown;
}

const NOTIFY_FAILURES: Record<string, string> = {
  'permanent-failure': 'the provider could not deliver it (permanent failure: the number may be wrong or not in use)',
  'temporary-failure': 'the provider could not deliver it (temporary failure: the phone was off or out of signal)',
  'technical-failure': 'the provider could not deliver it (technical failure at GOV.UK Notify)',
};

/**
 * The provider callbacks under /webhooks/sms. They carry no user token: each route is checked by
 * its provider's secret in an onRequest hook of this plugin, and a route without a check is
 * refused, so a callback route added here can never be open by omission.
 */
export async function registerSmsWebhooks(
  app: FastifyInstance,
  service: SmsService,
  checks: { notify: WebhookCheck; twilio: WebhookCheck },
): Promise<void> {
  const byRoute = new Map<string, WebhookCheck>([
    ['/webhooks/sms/notify', checks.notify],
    ['/webhooks/sms/twilio', checks.twilio],
  ]);
  await app.register(
    (webhooks, _options, done) => {
      // preValidation: after the body is parsed (Twilio signs it), before any handler reads it.
      webhooks.addHook('preValidation', (request, _reply, next) => {
        const check = byRoute.get(request.routeOptions.url ?? '');
        try {
          if (!check) {
            fail('forbidden', 'No provider check for this callback');
          }
          check(request);
        } catch (error) {
          return next(error as Error);
        }
        next();
      });
      webhooks.post('/notify', async (request) => notifyCallback(service, request.body as NotifyCallback));
      webhooks.post('/twilio', async (request, reply) => twilioInbound(service, request, reply));
      done();
    },
    { prefix: '/webhooks/sms' },
  );
}

async function notifyCallback(service: SmsService, body: NotifyCallback | undefined): Promise<{ outcome: string }> {
  if (typeof body?.id !== 'string' || !body.id) {
    return badRequest('A GOV.UK Notify callback has an id');
  }
  if (typeof body.source_number === 'string' && typeof body.message === 'string') {
    const from = phoneOf(body.source_number, true);
    return {
      outcome: await service.receive({ provider: 'notify', providerMessageId: body.id, from, body: body.message }),
    };
  }
  if (typeof body.status === 'string') {
    const reference = typeof body.reference === 'string' ? body.reference : undefined;
    const failure = NOTIFY_FAILURES[body.status];
    const known =
      body.status === 'delivered'
        ? await service.receipt('notify', body.id, reference, { delivered: true })
        : failure
          ? await service.receipt('notify', body.id, reference, { delivered: false, reason: failure })
          : false;
    return { outcome: known ? 'receipt' : 'ignored' };
  }
  return badRequest('Not a GOV.UK Notify text message or delivery receipt callback');
}

async function twilioInbound(service: SmsService, request: FastifyRequest, reply: FastifyReply): Promise<string> {
  const params = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
  const id = params.get('MessageSid') ?? params.get('SmsSid');
  const from = params.get('From');
  const body = params.get('Body');
  if (id && from && body !== null) {
    await service.receive({ provider: 'twilio', providerMessageId: id, from: phoneOf(from, false), body });
  }
  // Empty TwiML: no reply from here (Twilio answers STOP and START itself on standard opt-out handling).
  void reply.header('content-type', 'text/xml');
  return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
}

function phoneOf(text: string, international: boolean): string {
  try {
    return normalisePhone(text, { international });
  } catch (error) {
    return badRequest((error as Error).message, ['from']);
  }
}
