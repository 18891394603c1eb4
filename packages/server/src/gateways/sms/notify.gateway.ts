import { NotifyClient } from 'notifications-node-client';
import { PermanentSmsError, type SentSms, type SmsGateway } from './gateway.ts';

/** The part of `notifications-node-client`'s NotifyClient this gateway uses (tests pass a fake). */
export interface NotifySmsClient {
  sendSms(
    templateId: string,
    phoneNumber: string,
    options: { personalisation: Record<string, string>; reference: string },
  ): Promise<{ data: { id: string } }>;
}

/** The shape of an axios error from the Notify client: the HTTP status and Notify's error list. */
interface NotifyHttpError {
  response?: { status?: number; data?: { errors?: { error?: string; message?: string }[] } };
}

/**
 * GOV.UK Notify: each message is sent with one text message template whose content is `((body))`,
 * so the text is ours and Notify's template only frames it.
 */
export class NotifyGateway implements SmsGateway {
  readonly name = 'notify';
  private readonly client: NotifySmsClient;
  private readonly templateId: string;

  constructor(settings: { apiKey: string; templateId: string }, client?: NotifySmsClient) {
    this.client = client ?? new NotifyClient(settings.apiKey);
    this.templateId = settings.templateId;
  }

  async send(to: string, body: string, reference: string): Promise<SentSms> {
    try {
      const response = await this.client.sendSms(this.templateId, to, { personalisation: { body }, reference });
      return { providerId: response.data.id };
    } catch (error) {
      const status = (error as NotifyHttpError).response?.status;
      const detail = (error as NotifyHttpError).response?.data?.errors?.map((e) => e.message ?? e.error).join('; ');
      const reason = `GOV.UK Notify answered HTTP ${status ?? 'no response'}${detail ? `: ${detail}` : ''}`;
      // 4xx other than rate limiting: the request itself is wrong (bad number, key, template); 429 and 5xx pass.
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        throw new PermanentSmsError(reason);
      }
      throw new Error(reason, { cause: error });
    }
  }
}
