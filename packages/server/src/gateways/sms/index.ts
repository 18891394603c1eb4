/**
 * Text messages (docs/SMS.md): one gateway out (loopback or GOV.UK Notify), sending as retried
 * jobs, provider callbacks in (GOV.UK Notify, Twilio), opt-outs, and the registry modules use to
 * hear replies.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../http/app.ts';
import { LoopbackGateway, type SmsGateway } from './gateway.ts';
import { NotifyGateway } from './notify.gateway.ts';
import { inboundSms, type InboundSmsRegistry } from './registry.ts';
import { registerSmsApiRoutes, registerSmsWebhooks } from './routes.ts';
import { SmsService } from './sms.service.ts';
import { notifyBearerCheck, twilioSignatureCheck } from './webhook-auth.ts';

export { onInboundSms } from './registry.ts';
export type { InboundSms, InboundSmsHandler } from './registry.ts';
export type { OutgoingSms, InboundOutcome } from './sms.service.ts';
export { SmsService } from './sms.service.ts';
export type { SmsGateway, SentSms } from './gateway.ts';
export { PermanentSmsError } from './gateway.ts';
export { normalisePhone } from './phone.ts';

export interface SmsModule {
  service: SmsService;
}

function gatewayFor(platform: Platform): SmsGateway {
  const { sms } = platform.config;
  switch (sms.gateway) {
    case 'notify':
      return new NotifyGateway(sms.notify!);
    case 'loopback':
      return new LoopbackGateway();
  }
}

/** The module in the app: the send job (defined before the queue starts), the API and the webhooks. */
export async function registerSms(
  app: FastifyInstance,
  platform: Platform,
  options: { registry?: InboundSmsRegistry } = {},
): Promise<SmsModule> {
  const service = new SmsService({
    db: platform.db,
    queue: platform.jobs,
    config: platform.config.sms,
    gateway: gatewayFor(platform),
    registry: options.registry ?? inboundSms,
  });
  const module: SmsModule = { service };
  app.decorate('sms', module);
  registerSmsApiRoutes(app, service);
  await registerSmsWebhooks(app, service, {
    notify: notifyBearerCheck(platform.config.sms.notifyCallbackToken),
    twilio: twilioSignatureCheck(platform.config.sms.twilioAuthToken, platform.config.baseUrl),
  });
  return module;
}
