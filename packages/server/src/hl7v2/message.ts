/**
 * Reading HL7 v2 messages: parsing is Medplum's (`Hl7Message` in @medplum/core); this file checks
 * that what it parsed is a message we can answer, reads fields safely (HL7 indices are 1-based;
 * absent fields, components and repetitions read as ''), and decodes HL7 escape sequences.
 */
import { Hl7Message, type Hl7Context, type Hl7Segment } from '@medplum/core';

/** The MSH fields intake needs, decoded. The raw HD values are kept for storage and the ACK. */
export interface Hl7Header {
  /** MSH-3 and MSH-4 as sent (all components). */
  sendingApplication: string;
  sendingFacility: string;
  /** The facility's code: MSH-4.1 (namespace id), else MSH-4.2 (universal id). */
  facilityCode: string;
  /** MSH-9.1, MSH-9.2. */
  messageType: string;
  triggerEvent: string;
  /** MSH-10 as sent (echoed in MSA-2). */
  controlId: string;
  /** MSH-11.1: P production, T training, D debugging. */
  processingId: string;
  /** MSH-12.1, e.g. `2.5.1`. */
  version: string;
}

/** A message whose header could be read, or why not (answered AR). */
export type ParsedMessage =
  | { ok: true; message: Hl7Message; header: Hl7Header }
  | { ok: false; reason: string; location?: string; message?: Hl7Message; header: Partial<Hl7Header> };

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;

/**
 * Parses one message (the content of an MLLP frame). Segments end with CR; LF and CR LF are
 * accepted too, and a byte-order mark before `MSH` is ignored.
 */
export function parseHl7(text: string): ParsedMessage {
  const body = text.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
  if (!body.startsWith('MSH')) {
    return { ok: false, reason: 'The message does not begin with an MSH segment', location: 'MSH', header: {} };
  }
  const separators = body.slice(3, 8);
  if (separators.length < 5 || new Set(separators).size !== 5 || /[A-Za-z0-9\s]/.test(separators)) {
    return {
      ok: false,
      reason: 'MSH-1 and MSH-2 must give five distinct delimiter characters',
      location: 'MSH-2',
      header: {},
    };
  }
  const message = Hl7Message.parse(body);
  const msh = message.header;
  const header: Partial<Hl7Header> = {
    sendingApplication: raw(msh, 3),
    sendingFacility: raw(msh, 4),
    facilityCode: read(msh, 4, 1) || read(msh, 4, 2),
    messageType: read(msh, 9, 1),
    triggerEvent: read(msh, 9, 2),
    controlId: raw(msh, 10),
    processingId: read(msh, 11, 1),
    version: read(msh, 12, 1),
  };
  const bad = message.segments.findIndex((segment) => !SEGMENT_NAME.test(segment.name));
  if (bad !== -1) {
    return { ok: false, reason: `Segment ${bad + 1} has no valid segment name`, message, header };
  }
  const missing = (
    [
      ['MSH-9.1', header.messageType],
      ['MSH-9.2', header.triggerEvent],
      ['MSH-10', header.controlId],
      ['MSH-12', header.version],
    ] as const
  ).find(([, value]) => !value);
  if (missing) {
    return { ok: false, reason: `${missing[0]} is required`, location: missing[0], message, header };
  }
  if (header.controlId!.length > 199) {
    return { ok: false, reason: 'MSH-10 is longer than 199 characters', location: 'MSH-10', message, header };
  }
  return { ok: true, message, header: header as Hl7Header };
}

/** A field exactly as sent (components, repetitions and escapes included), or ''. */
export function raw(segment: Hl7Segment | undefined, field: number): string {
  return segment?.getField(field)?.toString() ?? '';
}

/**
 * One value, decoded: field, component and subcomponent are 1-based as in HL7 (`PV1-3.1.1`),
 * repetition 0-based. Anything absent, and the HL7 null `""`, read as ''.
 */
export function read(
  segment: Hl7Segment | undefined,
  field: number,
  component = 1,
  subcomponent = 1,
  repetition = 0,
): string {
  if (!segment) {
    return '';
  }
  const value = segment.getField(field)?.components[repetition]?.[component - 1];
  const part = value?.split(segment.context.subcomponentSeparator)[subcomponent - 1] ?? '';
  return part === '""' ? '' : unescapeHl7(part, segment.context);
}

/** How many repetitions a field has (0 when absent or empty). */
export function repetitions(segment: Hl7Segment | undefined, field: number): number {
  const value = segment?.getField(field);
  if (!value || value.toString() === '') {
    return 0;
  }
  return value.components.length;
}

/**
 * Decodes HL7 escape sequences (with the message's escape character, `\` by default): `\F\ \S\
 * \T\ \R\ \E\` are the delimiters, `\Xhh…\` hexadecimal bytes (UTF-8), `\.br\` a line break;
 * highlighting and character-set switches are dropped.
 */
export function unescapeHl7(value: string, context: Hl7Context): string {
  const e = context.escapeCharacter;
  if (!value.includes(e)) {
    return value;
  }
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(e, i);
    const end = start === -1 ? -1 : value.indexOf(e, start + 1);
    if (start === -1 || end === -1) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    out += decodeEscape(value.slice(start + 1, end), context);
    i = end + 1;
  }
  return out;
}

function decodeEscape(code: string, context: Hl7Context): string {
  switch (code) {
    case 'F':
      return context.fieldSeparator;
    case 'S':
      return context.componentSeparator;
    case 'T':
      return context.subcomponentSeparator;
    case 'R':
      return context.repetitionSeparator;
    case 'E':
      return context.escapeCharacter;
    case '.br':
      return '\n';
    case 'H':
    case 'N':
      return '';
  }
  if (/^X([0-9A-Fa-f]{2})+$/.test(code)) {
    return Buffer.from(code.slice(1), 'hex').toString('utf8');
  }
  // Character sets (\C…\, \M…\) and locally defined escapes (\Z…\) carry no text of their own.
  return /^[CMZ]/.test(code) ? '' : `${context.escapeCharacter}${code}${context.escapeCharacter}`;
}

/** Text made safe to place in one component of a message with these delimiters. */
export function escapeHl7(value: string, context: Hl7Context): string {
  const e = context.escapeCharacter;
  let out = '';
  for (const ch of value.replace(/[\r\n]+/g, ' ')) {
    switch (ch) {
      case e:
        out += `${e}E${e}`;
        break;
      case context.fieldSeparator:
        out += `${e}F${e}`;
        break;
      case context.componentSeparator:
        out += `${e}S${e}`;
        break;
      case context.subcomponentSeparator:
        out += `${e}T${e}`;
        break;
      case context.repetitionSeparator:
        out += `${e}R${e}`;
        break;
      default:
        out += ch;
    }
  }
  return out;
}
