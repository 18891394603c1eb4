import { badRequest } from '../fhir/outcome.ts';
import { normalisePhone } from '../gateways/sms/index.ts';
import { isClockTime } from './london-time.ts';
import { CHANNELS, type Channel, type Delivery, type NotificationKind, type Preferences } from './types.ts';

/** A person's saved choices, as stored (kinds they have not changed are absent). */
export interface StoredPreferences {
  kinds: Record<string, { channels: Channel[]; delivery: Delivery }>;
  quietHours: { start: string; end: string } | null;
  digestTime: string;
  phone?: string;
  email?: string;
}

export const DEFAULT_DIGEST_TIME = '08:00';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emptyPreferences(): StoredPreferences {
  return { kinds: {}, quietHours: null, digestTime: DEFAULT_DIGEST_TIME };
}

/** What a person gets for a kind: their choice, else the kind's defaults. */
export function choiceFor(
  stored: StoredPreferences,
  kind: NotificationKind,
): { channels: Channel[]; delivery: Delivery } {
  return (
    stored.kinds[kind.kind] ?? { channels: [...kind.defaultChannels], delivery: kind.defaultDelivery ?? 'immediate' }
  );
}

/** The preferences as the API shows them: every kind there is, with the person's choice. */
export function presentPreferences(stored: StoredPreferences, kinds: readonly NotificationKind[]): Preferences {
  return {
    kinds: kinds.map((kind) => ({ kind: kind.kind, title: kind.title, ...choiceFor(stored, kind) })),
    quietHours: stored.quietHours,
    digestTime: stored.digestTime,
    ...(stored.phone ? { phone: stored.phone } : {}),
    ...(stored.email ? { email: stored.email } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a PUT body: every field it names must be valid (a 400 OperationOutcome naming the field),
 * the inbox is always on, times are HH:MM (Europe/London), the phone is normalised to E.164.
 */
export function parsePreferences(body: unknown, known: ReadonlyMap<string, NotificationKind>): StoredPreferences {
  if (!isObject(body)) {
    return badRequest('Send the preferences as a JSON object');
  }
  const kinds: StoredPreferences['kinds'] = {};
  if (body.kinds !== undefined) {
    if (!Array.isArray(body.kinds)) {
      return badRequest('kinds must be a list', ['kinds']);
    }
    body.kinds.forEach((entry: unknown, i) => {
      const at = `kinds[${i}]`;
      if (!isObject(entry) || typeof entry.kind !== 'string' || !known.has(entry.kind)) {
        return badRequest(`${at}.kind is not a kind of notification`, [`${at}.kind`]);
      }
      const channels = entry.channels;
      if (!Array.isArray(channels) || !channels.every((c) => CHANNELS.includes(c as Channel))) {
        return badRequest(`${at}.channels must be a list of ${CHANNELS.join(', ')}`, [`${at}.channels`]);
      }
      if (!channels.includes('inbox')) {
        return badRequest(`${at}.channels: the inbox is always on`, [`${at}.channels`]);
      }
      const delivery = entry.delivery ?? 'immediate';
      if (delivery !== 'immediate' && delivery !== 'digest') {
        return badRequest(`${at}.delivery must be immediate or digest`, [`${at}.delivery`]);
      }
      kinds[entry.kind] = { channels: CHANNELS.filter((c) => channels.includes(c)), delivery };
    });
  }
  let quietHours: StoredPreferences['quietHours'] = null;
  if (body.quietHours !== undefined && body.quietHours !== null) {
    const quiet = body.quietHours;
    if (!isObject(quiet)) {
      return badRequest('quietHours must be { start, end } or null', ['quietHours']);
    }
    for (const field of ['start', 'end'] as const) {
      if (!isClockTime(quiet[field])) {
        return badRequest(`quietHours.${field} must be a time HH:MM (Europe/London)`, [`quietHours.${field}`]);
      }
    }
    quietHours = { start: quiet.start as string, end: quiet.end as string };
  }
  const digestTime = body.digestTime ?? DEFAULT_DIGEST_TIME;
  if (!isClockTime(digestTime)) {
    return badRequest('digestTime must be a time HH:MM (Europe/London)', ['digestTime']);
  }
  const parsed: StoredPreferences = { kinds, quietHours, digestTime };
  if (body.phone !== undefined && body.phone !== null && body.phone !== '') {
    if (typeof body.phone !== 'string') {
      return badRequest('phone must be a phone number', ['phone']);
    }
    try {
      parsed.phone = normalisePhone(body.phone);
    } catch (error) {
      return badRequest((error as Error).message, ['phone']);
    }
  }
  if (body.email !== undefined && body.email !== null && body.email !== '') {
    if (typeof body.email !== 'string' || body.email.length > 254 || !EMAIL.test(body.email.trim())) {
      return badRequest('email is not an e-mail address', ['email']);
    }
    parsed.email = body.email.trim();
  }
  return parsed;
}
