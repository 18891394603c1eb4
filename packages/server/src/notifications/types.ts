import type { Queryable } from '../db/database.ts';

/** Where notification categories are coded (Communication.category). */
export const NOTIFICATION_CATEGORY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/notification-category';
/** The kind of notification (which module's which message), as a Communication meta.tag. */
export const NOTIFICATION_KIND_SYSTEM = 'https://careweave.example/fhir/CodeSystem/notification-kind';

export const CATEGORIES = {
  admission: 'Admission',
  result: 'Result',
  referral: 'Referral',
  'telehealth-alert': 'Telehealth alert',
  message: 'Message',
  reminder: 'Reminder',
  system: 'CareWeave',
} as const;
export type NotificationCategory = keyof typeof CATEGORIES;

export const CHANNELS = ['inbox', 'sms', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];
/** The channels that leave CareWeave, each delivered by a job. */
export type OutboundChannel = Exclude<Channel, 'inbox'>;
export type Priority = 'routine' | 'urgent';
export type Delivery = 'immediate' | 'digest';

/** A kind of notification a module sends, with what a person gets unless they choose otherwise. */
export interface NotificationKind {
  /** kebab-case, unique: `admission-notice`. */
  kind: string;
  /** What a person sees in their preferences: "Your patients admitted to hospital". */
  title: string;
  defaultChannels: readonly Channel[];
  defaultDelivery?: Delivery;
}

/** What a module asks the notifications service to tell someone. */
export interface NotifyInput {
  kind: string;
  category: NotificationCategory;
  priority: Priority;
  /** `Practitioner/x`, `Patient/y` or `RelatedPerson/z`. */
  recipient: string;
  /** The Patient the notification is about, when there is one. */
  subject?: string;
  /** The resource it concerns (`Encounter/123`). */
  about?: string;
  /** Shown in the inbox only, after sign-in. */
  title: string;
  /** Shown in the inbox only, after sign-in. */
  text: string;
  /**
   * The text message, if the kind's channels include SMS: minimal, no diagnosis, no name ("CareWeave:
   * a patient of yours was admitted to hospital. Sign in to see who."). A text naming the patient
   * (name or NHS number) is replaced by the generic one.
   */
  smsText?: string;
  /** The e-mail's subject, under the same rule; its body is always the generic one. */
  emailSubject?: string;
  /**
   * Notify once per key: a second call with the same key (a reaction run again) returns what the
   * first did and sends nothing. E.g. `admission-notice:Encounter/1:Practitioner/2`.
   */
  idempotencyKey?: string;
}

export interface NotifyOptions {
  /** The caller's transaction: everything is written in it, so a rollback tells nobody. */
  tx?: Queryable;
  /** The inbox only, whatever the person chose (demo data, written before the job queue runs). */
  inboxOnly?: boolean;
}

/** What became of a notify call. */
export type NotifyResult =
  | { status: 'sent'; id: string; communication: string; channels: Channel[]; repeated?: true }
  | { status: 'refused'; id: string; reason: string; repeated?: true };

/** One inbox item, as the HTTP API returns it. */
export interface InboxItem {
  id: string;
  kind: string;
  category: { code: string; display: string };
  priority: Priority;
  title: string;
  text: string;
  subject?: { reference: string; display?: string };
  about?: { reference: string; display?: string };
  sentAt: string;
  readAt?: string;
  acknowledgedAt?: string;
}

/** A person's choices (GET/PUT /api/notifications/preferences). */
export interface Preferences {
  kinds: { kind: string; title: string; channels: Channel[]; delivery: Delivery }[];
  quietHours: { start: string; end: string } | null;
  digestTime: string;
  phone?: string;
  email?: string;
}

export function categoryDisplay(code: string): string {
  return (CATEGORIES as Record<string, string>)[code] ?? code;
}
