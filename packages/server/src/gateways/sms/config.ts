import { z } from 'zod';

export const SMS_GATEWAYS = ['loopback', 'notify'] as const;
export type SmsGatewayName = (typeof SMS_GATEWAYS)[number];

/** Text messages (docs/SMS.md). */
export interface SmsConfig {
  /** Which gateway sends: `loopback` keeps messages in the database only (demo, tests). */
  gateway: SmsGatewayName;
  /** GOV.UK Notify sending: present when the gateway is `notify`. */
  notify?: { apiKey: string; templateId: string };
  /** Bearer token GOV.UK Notify sends with its callbacks; absent: /webhooks/sms/notify refuses every request. */
  notifyCallbackToken?: string;
  /** Twilio account auth token that signs its webhooks; absent: /webhooks/sms/twilio refuses every request. */
  twilioAuthToken?: string;
  /** Retries of a failed send (exponential backoff from `retryDelaySeconds`) before it is marked failed. */
  retryLimit: number;
  retryDelaySeconds: number;
}

/**
 * The `CAREWEAVE_*` settings of SMS, composed into the one configuration schema
 * (src/config/config.ts) so they are validated with everything else at start-up.
 */
export const smsSettings = {
  SMS_GATEWAY: z.enum(SMS_GATEWAYS).default('loopback'),
  NOTIFY_API_KEY: z
    .string()
    .min(74, 'a GOV.UK Notify API key (name-serviceid-secret, 74 characters or more)')
    .optional(),
  NOTIFY_SMS_TEMPLATE_ID: z.uuid('the id (a UUID) of a Notify text message template').optional(),
  NOTIFY_CALLBACK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SMS_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(5),
  SMS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
};

type Settings = z.output<z.ZodObject<typeof smsSettings>>;

/** The module's configuration from its validated settings; the problems are returned for the one start-up error. */
export function smsConfig(settings: Settings, problems: string[]): SmsConfig {
  const { NOTIFY_API_KEY: apiKey, NOTIFY_SMS_TEMPLATE_ID: templateId } = settings;
  if (settings.SMS_GATEWAY === 'notify' && (apiKey === undefined || templateId === undefined)) {
    problems.push(
      'CAREWEAVE_SMS_GATEWAY=notify needs CAREWEAVE_NOTIFY_API_KEY and CAREWEAVE_NOTIFY_SMS_TEMPLATE_ID ' +
        '(a text message template whose content is ((body)))',
    );
  }
  return {
    gateway: settings.SMS_GATEWAY,
    ...(settings.SMS_GATEWAY === 'notify' && apiKey !== undefined && templateId !== undefined
      ? { notify: { apiKey, templateId } }
      : {}),
    ...(settings.NOTIFY_CALLBACK_TOKEN !== undefined ? { notifyCallbackToken: settings.NOTIFY_CALLBACK_TOKEN } : {}),
    ...(settings.TWILIO_AUTH_TOKEN !== undefined ? { twilioAuthToken: settings.TWILIO_AUTH_TOKEN } : {}),
    retryLimit: settings.SMS_RETRY_LIMIT,
    retryDelaySeconds: settings.SMS_RETRY_DELAY_SECONDS,
  };
}
