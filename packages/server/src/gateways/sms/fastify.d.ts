import type { SmsModule } from './index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Text messages: queueSms, inbound handling (src/gateways/sms/). */
    sms: SmsModule;
  }
}
