import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { conversations, fromText, repliedLast } from './api.ts';

const message = (id: string, sent: string, sender: string, partOf?: string): Communication => ({
  resourceType: 'Communication',
  id,
  status: 'completed',
  sent,
  sender: { reference: sender },
  ...(partOf ? { partOf: [{ reference: `Communication/${partOf}` }] } : {}),
});

describe('conversations', () => {
  it('threads replies under their first message, oldest first, newest conversation first', () => {
    const list = conversations([
      message('b-reply', '2026-12-03T10:00:00Z', 'Practitioner/gp', 'b'),
      message('a', '2026-12-01T10:00:00Z', 'Patient/p1'),
      message('b', '2026-12-02T10:00:00Z', 'Patient/p1'),
      message('orphan', '2026-12-04T10:00:00Z', 'Practitioner/gp', 'gone'),
    ]);
    expect(list.map((c) => c.messages.map((m) => m.id))).toEqual([['b', 'b-reply'], ['a']]);
    expect(list.map(repliedLast)).toEqual([true, false]);
  });

  it('names who wrote each message as the patient reads it', () => {
    expect(fromText(message('a', '', 'Patient/p1'), 'p1')).toBe('You');
    expect(fromText(message('a', '', 'Practitioner/gp'), 'p1')).toBe('Your GP practice');
    expect(fromText(message('a', '', 'RelatedPerson/rp'), 'p1')).toBe('A carer');
  });
});
