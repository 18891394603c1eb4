import { z } from 'zod';
import { ConfigError } from '../../config/config.ts';

/**
 * `CAREWEAVE_EMAIL_*`, validated with every other setting at start-up (src/modules/settings.ts).
 * Without `SMTP_URL` mail goes to the local catcher (demo, tests); in production it is required.
 */
export const emailSettings = z.object({
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start). */
  SMTP_URL: z
    .url({
      protocol: /^smtps?$/,
      error: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.nhs.uk:465',
    })
    .optional(),
  /** The From address: `CareWeave <no-reply@example.nhs.uk>` or a bare address. */
  FROM: z
    .string()
    .refine(
      (value) => isMailbox(value),
      'must be an e-mail address, or a name and one: CareWeave <no-reply@example.nhs.uk>',
    )
    .default('CareWeave <no-reply@careweave.localhost>'),
  /** The catcher's port on 127.0.0.1 when there is no SMTP_URL; default a free one. */
  CATCHER_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Retries of a failed send (exponential backoff from RETRY_DELAY_SECONDS) before it is marked failed. */
  RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(5),
  RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
});

export type EmailSettings = z.output<typeof emailSettings>;

const ADDRESS = z.email();

/** `a@b.example` or `Name <a@b.example>`. */
export function isMailbox(value: string): boolean {
  const named = /^[^<>\r\n]*<([^<>\s]+)>$/.exec(value.trim());
  return ADDRESS.safeParse(named ? named[1] : value.trim()).success;
}

/** Where mail goes: an SMTP relay, or the in-process catcher. */
export type EmailTarget = { kind: 'smtp'; url: string } | { kind: 'catcher'; port: number };

/**
 * The target for these settings. Production with no relay is refused at start-up, loudly: a
 * catcher there would swallow every patient's mail.
 */
export function emailTarget(settings: EmailSettings, production: boolean): EmailTarget {
  if (settings.SMTP_URL) {
    return { kind: 'smtp', url: settings.SMTP_URL };
  }
  if (production) {
    throw new ConfigError(
      'Invalid configuration:\n  CAREWEAVE_EMAIL_SMTP_URL: required when CAREWEAVE_PRODUCTION=true ' +
        '(the local mail catcher is for the demo and tests only)',
    );
  }
  return { kind: 'catcher', port: settings.CATCHER_PORT ?? 0 };
}
