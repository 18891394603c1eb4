/**
 * Text messages (docs/SMS.md): one gateway out (loopback or GOV.UK Notify), sending as retried
 * jobs, provider callbacks in (GOV.UK Notify, Twilio), opt-outs, and inbound texts handed to the
 * modules that declare an `inboundSms` part. A platform module: others `use('sms')` to send.
 */
import type { SmsConfig } from './config.ts';
import { defineModule } from '../../modules/contract.ts';
import { LoopbackGateway, type SmsGateway } from './gateway.ts';
import { NotifyGateway } from './notify.gateway.ts';
import { InboundSmsRegistry } from './registry.ts';
import { registerSmsApiRoutes, registerSmsWebhooks } from './routes.ts';
import { SmsService } from './sms.service.ts';
import { notifyBearerCheck, twilioSignatureCheck } from './webhook-auth.ts';

export type { InboundSms, InboundSmsHandler, OptChange } from './registry.ts';
export type { OutgoingSms, InboundOutcome } from './sms.service.ts';
export { SmsService } from './sms.service.ts';
export type { SmsGateway, SentSms } from './gateway.ts';
export { PermanentSmsError, LoopbackGateway } from './gateway.ts';
export { mobileOf, normalisePhone } from './phone.ts';

declare module '../../modules/contract.ts' {
  interface ModuleServices {
    sms: SmsService;
  }
}

function gatewayFor(sms: SmsConfig): SmsGateway {
  switch (sms.gateway) {
    case 'notify':
      return new NotifyGateway(sms.notify!);
    case 'loopback':
      return new LoopbackGateway();
  }
}

/** The module: the send job (defined before the queue starts), the API under /api/sms and the webhooks. */
export const smsModule = defineModule({
  name: 'sms',
  title: 'Text messages (SMS)',
  setup: ({ db, jobs, config }) => {
    const service = new SmsService({
      db,
      queue: jobs,
      config: config.sms,
      gateway: gatewayFor(config.sms),
      registry: new InboundSmsRegistry(),
    });
    return {
      provides: { sms: service },
      apiScopes: { read: ['Communication.rs'], write: ['Communication.c'] },
      routes: async (app) => {
        registerSmsApiRoutes(app, service);
        await registerSmsWebhooks(app, service, {
          notify: notifyBearerCheck(config.sms.notifyCallbackToken),
          twilio: twilioSignatureCheck(config.sms.twilioAuthToken, config.baseUrl),
        });
      },
    };
  },
});
