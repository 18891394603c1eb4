import nodemailer, { type Transporter } from 'nodemailer';

/** What the service sends through: nodemailer's SMTP transport (or a test's). */
export type MailTransport = Pick<Transporter, 'sendMail' | 'close'>;

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** An SMTP relay from `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the start). */
export function smtpTransport(url: string): MailTransport {
  const parsed = new URL(url);
  return nodemailer.createTransport({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587,
    secure: parsed.protocol === 'smtps:',
    ...(parsed.username
      ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }
      : {}),
    ...TIMEOUTS,
  });
}

/** The local catcher: plain SMTP on 127.0.0.1, no TLS. */
export function catcherTransport(port: number): MailTransport {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...TIMEOUTS });
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  rejectedErrors?: { responseCode?: number }[];
}

/**
 * Whether retrying cannot help: the relay answered 5xx (no such mailbox, message refused), or there
 * was no recipient to send to. A 4xx answer (greylisting, mailbox busy), a lost connection or a
 * refused login (an operator can fix the credentials while the job waits) is tried again.
 */
export function isPermanentFailure(error: unknown): boolean {
  const smtp = (error ?? {}) as SmtpError;
  const code = smtp.responseCode ?? smtp.rejectedErrors?.find((e) => e.responseCode)?.responseCode;
  if (smtp.code === 'EAUTH') {
    return false;
  }
  if (typeof code === 'number') {
    return code >= 500 && code < 600;
  }
  return smtp.code === 'EENVELOPE' || smtp.code === 'EMESSAGE';
}

/** The relay's id for an accepted message: the queue id in its reply if it gives one. */
export function relayId(info: { messageId?: string; response?: string }): string | undefined {
  const queued = /queued as ([^\s]+)/i.exec(info.response ?? '');
  return queued?.[1] ?? info.messageId;
}
