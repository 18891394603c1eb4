/**
 * The acknowledgement of a message (original mode): MSH with sender and receiver swapped, MSA with
 * the code and the received MSH-10, and on AE/AR an ERR segment saying why. Built with Medplum's
 * HL7 classes in the sender's own delimiters.
 */
import { randomBytes } from 'node:crypto';
import { Hl7Context, Hl7Message, Hl7Segment } from '@medplum/core';
import { hl7Now } from './datetime.ts';
import { escapeHl7, raw } from './message.ts';
import type { Hl7ErrorCondition } from './registry.ts';

export type AckCode = 'AA' | 'AE' | 'AR';

export interface AckError {
  condition: Hl7ErrorCondition;
  /** Human-readable reason (ERR-8; MSA-3 before v2.5). */
  text: string;
  /** Where, as `SEG-n[.c]`, e.g. `PID-3`. */
  location?: string;
}

/**
 * The ACK for a message. `received` is what could be parsed of it: with no MSH at all, the ACK
 * has empty sender and receiver and an empty MSA-2.
 *
 * @example
 * buildAck(parsed.message, 'AE', { condition: HL7_ERROR.unknownKey, text: 'No patient …', location: 'PID-3' })
 */
export function buildAck(received: Hl7Message | undefined, code: AckCode, error?: AckError, now = new Date()): string {
  const context = received?.context ?? new Hl7Context();
  const msh = received?.header?.name === 'MSH' ? received.header : undefined;
  const version = /^2\.\d+(\.\d+)?$/.test(msh?.getField(12)?.getComponent(1) ?? '')
    ? msh!.getField(12).getComponent(1)
    : '2.5';
  const trigger = msh?.getField(9)?.getComponent(2) ?? '';
  const messageType =
    !trigger || before(version, '2.3') ? 'ACK' : before(version, '2.3.1') ? `ACK^${trigger}` : `ACK^${trigger}^ACK`;
  const text = error ? escapeHl7(error.text, context) : '';
  const segments = [
    new Hl7Segment(
      [
        'MSH',
        context.getMsh2(),
        raw(msh, 5),
        raw(msh, 6),
        raw(msh, 3),
        raw(msh, 4),
        hl7Now(now),
        '',
        messageType,
        randomBytes(10).toString('hex'),
        msh?.getField(11)?.getComponent(1) || 'P',
        version,
      ],
      context,
    ),
    new Hl7Segment(['MSA', code, raw(msh, 10), ...(error && before(version, '2.5') ? [text] : [])], context),
  ];
  if (error) {
    segments.push(errSegment(error, text, version, context));
  }
  return new Hl7Message(segments, context).toString();
}

/** ERR: v2.5 and later use ERR-2 (location), ERR-3 (code), ERR-4 (severity), ERR-8 (user message). */
function errSegment(error: AckError, text: string, version: string, context: Hl7Context): Hl7Segment {
  const c = context.componentSeparator;
  const s = context.subcomponentSeparator;
  const [segment = '', field = ''] = (error.location ?? '').split('-');
  const [position = '', component = ''] = field.split('.');
  if (before(version, '2.5')) {
    // ERR-1 (ELD): segment id ^ sequence ^ field position ^ code & text & table.
    const where = segment ? [segment, '1', position] : ['', '', ''];
    const condition = [error.condition.code, error.condition.text, 'HL70357'].join(s);
    return new Hl7Segment(['ERR', [...where, condition].join(c)], context);
  }
  const location = segment ? [segment, '1', position, '', component].join(c).replace(new RegExp(`\\${c}+$`), '') : '';
  const condition = [error.condition.code, error.condition.text, 'HL70357'].join(c);
  return new Hl7Segment(['ERR', '', location, condition, 'E', '', '', '', text], context);
}

/** True when HL7 version `a` is earlier than `b` (`2.3.1` < `2.4`). */
function before(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) {
      return d < 0;
    }
  }
  return false;
}
