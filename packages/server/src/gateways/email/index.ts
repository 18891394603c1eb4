/**
 * E-mail (docs/EMAIL.md): messages queued with their send job in the caller's transaction, sent over
 * SMTP (nodemailer) by a retried job, failures listed at /api/email/messages. Without a relay
 * (`CAREWEAVE_EMAIL_SMTP_URL`) an in-process catcher takes the mail, shown at /api/email/caught
 * (demo and tests; refused in production). A platform module: others `use('email')` to send.
 */
import { defineModule } from '../../modules/contract.ts';
import { MailCatcher } from './catcher.ts';
import { EmailService } from './email.service.ts';
import { EMAIL_MIGRATIONS } from './migrations.ts';
import { registerEmailRoutes } from './routes.ts';
import { emailSettings, emailTarget } from './settings.ts';
import { catcherTransport, smtpTransport } from './transport.ts';

export { EmailService, EMAIL_SEND_QUEUE, type OutgoingEmail } from './email.service.ts';
export type { EmailMessage, CaughtEmail } from './email.repository.ts';
export type { MailTransport } from './transport.ts';

declare module '../../modules/contract.ts' {
  interface ModuleServices {
    email: EmailService;
  }
}

export const emailModule = defineModule({
  name: 'email',
  title: 'E-mail (SMTP)',
  settings: emailSettings,
  migrations: EMAIL_MIGRATIONS,
  setup: ({ db, jobs, settings, core, log }) => {
    const target = emailTarget(settings, core.production);
    const catcher =
      target.kind === 'catcher'
        ? new MailCatcher(db, target.port, (error) => log.error({ err: error }, 'mail catcher error'))
        : undefined;
    const transport =
      target.kind === 'smtp'
        ? () => Promise.resolve(smtpTransport(target.url))
        : async () => catcherTransport(await catcher!.start());
    const service = new EmailService({
      db,
      queue: jobs,
      from: settings.FROM,
      transport,
      retry: { limit: settings.RETRY_LIMIT, delaySeconds: settings.RETRY_DELAY_SECONDS },
      log,
      catching: catcher !== undefined,
    });
    return {
      provides: { email: service },
      jobs: [service.job()],
      apiScopes: { read: ['Communication.rs'], write: ['Communication.c'] },
      routes: (app) => registerEmailRoutes(app, service),
      start: async () => {
        if (catcher) {
          const port = await catcher.start();
          log.info({ port }, `e-mail goes to the local catcher on 127.0.0.1:${port} (GET /api/email/caught)`);
        }
      },
      stop: async () => {
        await service.close();
        await catcher?.stop();
      },
    };
  },
});
