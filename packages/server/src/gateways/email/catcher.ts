import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Database } from '../../db/database.ts';
import { EmailRepository } from './email.repository.ts';

/** The catcher's largest accepted message: demo mail is small. */
const MAX_SIZE = 5 * 1024 * 1024;

/**
 * A local SMTP server for the demo and tests (never production: settings.ts refuses it there). It
 * listens on 127.0.0.1 only, takes every message without authentication, and stores it in
 * `email_caught` for GET /api/email/caught. Recipients at a `.invalid` domain (RFC 2606) are refused
 * with a permanent 550, so the demo can show a message that failed.
 */
export class MailCatcher {
  private readonly db: Database;
  private readonly port: number;
  private readonly onError: (error: unknown) => void;
  private server: SMTPServer | undefined;
  private started: Promise<number> | undefined;

  constructor(db: Database, port: number, onError: (error: unknown) => void) {
    this.db = db;
    this.port = port;
    this.onError = onError;
  }

  /** Starts listening (once); resolves with the port. */
  start(): Promise<number> {
    this.started ??= this.listen().catch((error: unknown) => {
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.started = undefined;
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async listen(): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: MAX_SIZE,
      onRcptTo: (address, _session, callback) => {
        if (/\.invalid$/i.test(address.address)) {
          return callback(Object.assign(new Error(`No such recipient: ${address.address}`), { responseCode: 550 }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        this.store(stream, session.envelope)
          .then(() => callback())
          .catch((error: unknown) => {
            this.onError(error);
            callback(Object.assign(new Error('The catcher could not store the message'), { responseCode: 451 }));
          });
      },
    });
    server.on('error', (error) => this.onError(error));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  private async store(
    stream: NodeJS.ReadableStream,
    envelope: { mailFrom: false | { address: string }; rcptTo: readonly { address: string }[] },
  ): Promise<void> {
    const parsed = await simpleParser(stream as Parameters<typeof simpleParser>[0]);
    await new EmailRepository(this.db).catch({
      to: envelope.rcptTo.map((r) => r.address),
      ...(envelope.mailFrom ? { from: envelope.mailFrom.address } : {}),
      ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
      ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
      ...(parsed.text !== undefined ? { text: parsed.text } : {}),
      ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    });
  }
}
