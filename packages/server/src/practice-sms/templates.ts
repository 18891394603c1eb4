/**
 * Practice text templates: `{{field}}` merge fields, checked against the fields each kind of message
 * has, and counted in SMS parts. Pure functions (unit-tested); the service stores and guards them.
 */
import { badRequest } from '../fhir/outcome.ts';

export type TemplateKind = 'reminder' | 'cancelled' | 'recall' | 'results-normal' | 'results-neutral';
export const TEMPLATE_KINDS: readonly TemplateKind[] = [
  'reminder',
  'cancelled',
  'recall',
  'results-normal',
  'results-neutral',
];

const APPOINTMENT_FIELDS = ['firstName', 'practiceName', 'appointmentDate', 'appointmentTime', 'location'];

/** The merge fields each kind may use. None is clinical: a text may be read by anyone holding the phone. */
export const FIELDS: Record<TemplateKind, readonly string[]> = {
  reminder: APPOINTMENT_FIELDS,
  cancelled: APPOINTMENT_FIELDS,
  recall: ['firstName', 'practiceName', 'review'],
  'results-normal': ['firstName', 'practiceName'],
  'results-neutral': ['firstName', 'practiceName'],
};

export const DEFAULT_TEMPLATES: Record<TemplateKind, string> = {
  reminder:
    'Hello {{firstName}}, a reminder of your appointment at {{practiceName}} on {{appointmentDate}} at ' +
    '{{appointmentTime}}, {{location}}. Reply CANCEL if you cannot come. Reply STOP to stop texts.',
  cancelled:
    'Your appointment at {{practiceName}} on {{appointmentDate}} at {{appointmentTime}} is cancelled. ' +
    'Contact the practice to book another.',
  recall:
    'Hello {{firstName}}, please book your annual {{review}} with {{practiceName}}. Call the practice or use the NHS App.',
  'results-normal': 'Hello {{firstName}}, your recent test results are normal, no action needed. {{practiceName}}',
  'results-neutral':
    'Hello {{firstName}}, there is an update from {{practiceName}}. Please check the NHS App or contact the practice.',
};

const FIELD = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The merge fields a template uses, in order of first use. */
export function fieldsOf(body: string): string[] {
  return [...new Set([...body.matchAll(FIELD)].map((m) => m[1]!))];
}

/** Refuses (400, naming the field) a template that is empty, too long or uses fields its kind lacks. */
export function validateTemplate(kind: TemplateKind, body: string): void {
  if (!body.trim()) {
    badRequest('Enter the text of the message', ['body']);
  }
  if (body.length > 612) {
    badRequest('A template must be 612 characters or fewer (4 text message parts)', ['body']);
  }
  const unknown = fieldsOf(body).filter((f) => !FIELDS[kind].includes(f));
  if (unknown.length) {
    badRequest(
      `Unknown merge field ${unknown.map((f) => `{{${f}}}`).join(', ')}: a ${kind} message may use ${FIELDS[kind]
        .map((f) => `{{${f}}}`)
        .join(', ')}`,
      ['body'],
    );
  }
  if (/\{\{|\}\}/.test(body.replace(FIELD, ''))) {
    badRequest('A merge field is written {{name}}: check the braces', ['body']);
  }
}

/** The template with its fields filled in (a missing value becomes empty text). */
export function render(body: string, values: Readonly<Record<string, string | undefined>>): string {
  return body
    .replace(FIELD, (_match, name: string) => values[name] ?? '')
    .replace(/ {2,}/g, ' ')
    .replace(/ ([,.])/g, '$1')
    .trim();
}

// The GSM 03.38 basic set (and the extension characters, which count twice).
const GSM = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€');

/** How a text is carried: its encoding, length in that encoding's units, and SMS parts. */
export function smsParts(text: string): { encoding: 'GSM-7' | 'UCS-2'; characters: number; parts: number } {
  const chars = [...text];
  if (chars.every((c) => GSM.has(c) || GSM_EXTENDED.has(c))) {
    const characters = chars.reduce((n, c) => n + (GSM_EXTENDED.has(c) ? 2 : 1), 0);
    return { encoding: 'GSM-7', characters, parts: characters <= 160 ? 1 : Math.ceil(characters / 153) };
  }
  const characters = text.length; // UTF-16 code units
  return { encoding: 'UCS-2', characters, parts: characters <= 70 ? 1 : Math.ceil(characters / 67) };
}
