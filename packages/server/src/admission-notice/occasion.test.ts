import type { Encounter } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { ACT_CODE_SYSTEM, occasionOf } from './occasion.ts';

function visit(code: string, status: Encounter['status'], extra: Partial<Encounter> = {}): Encounter {
  return { resourceType: 'Encounter', status, class: { system: ACT_CODE_SYSTEM, code }, ...extra };
}
const at = (display: string) => ({ location: [{ location: { display } }] });
const ended = { period: { start: '2025-03-01T10:00:00Z', end: '2025-03-05T12:00:00Z' } };

describe('which alert an Encounter version calls for', () => {
  test.each([
    ['an inpatient admission (A01)', visit('IMP', 'in-progress'), undefined, 'admission'],
    ['an A&E attendance (A04, class E)', visit('EMER', 'arrived'), undefined, 'attendance'],
    ['admitted from A&E (EMER → IMP)', visit('IMP', 'in-progress'), visit('EMER', 'arrived'), 'admission'],
    ['begun after a pre-admission (A05 → A01)', visit('IMP', 'in-progress'), visit('IMP', 'planned'), 'admission'],
    [
      'a transfer (A02)',
      visit('IMP', 'in-progress', at('WARD7')),
      visit('IMP', 'in-progress', at('WARD4')),
      'transfer',
    ],
    ['a discharge (A03)', visit('IMP', 'finished', ended), visit('IMP', 'in-progress'), 'discharge'],
    ['a visit first seen discharged', visit('IMP', 'finished', ended), undefined, 'discharge'],
    ['leaving A&E', visit('EMER', 'finished', ended), visit('EMER', 'arrived'), 'discharge'],
    ['an admission entered in error (A11)', visit('IMP', 'entered-in-error'), visit('IMP', 'in-progress'), 'cancelled'],
    [
      'an A&E attendance entered in error (A11)',
      visit('EMER', 'entered-in-error'),
      visit('EMER', 'arrived'),
      'cancelled',
    ],
    [
      'a discharge cancelled (A13)',
      visit('IMP', 'in-progress', { period: { start: ended.period.start } }),
      visit('IMP', 'finished', ended),
      'discharge-cancelled',
    ],
    [
      'a transfer cancelled (A12): back where they were',
      visit('IMP', 'in-progress', at('WARD4')),
      visit('IMP', 'in-progress', {
        location: [{ location: { display: 'WARD4' } }, { location: { display: 'WARD7' } }],
      }),
      'transfer-cancelled',
    ],
  ] as const)('%s → %s', (_, current, previous, event) => {
    expect(occasionOf(current, previous, 2)?.event).toBe(event);
  });

  test.each([
    ['an outpatient visit (A04, class O)', visit('AMB', 'arrived'), undefined],
    ['a pre-admission (A05)', visit('IMP', 'planned'), undefined],
    [
      'an update that changes nothing that matters (A08)',
      visit('IMP', 'in-progress', at('WARD4')),
      visit('IMP', 'in-progress', at('WARD4')),
    ],
    [
      'a pre-admission cancelled (A11 after A05: nobody was told)',
      visit('IMP', 'entered-in-error'),
      visit('IMP', 'planned'),
    ],
    ['a cancelled admission cancelled again', visit('IMP', 'entered-in-error'), visit('IMP', 'entered-in-error')],
    ['an outpatient visit entered in error', visit('AMB', 'entered-in-error'), visit('AMB', 'arrived')],
    ['finished without an end', visit('IMP', 'finished'), visit('IMP', 'in-progress')],
    ['a discharge written again', visit('IMP', 'finished', ended), visit('IMP', 'finished', ended)],
    [
      'another coding system',
      { ...visit('IMP', 'in-progress'), class: { system: 'urn:other', code: 'IMP' } },
      undefined,
    ],
  ] as const)('%s → none', (_, current, previous) => {
    expect(occasionOf(current as Encounter, previous, 2)).toBeUndefined();
  });

  test('keys: one per admission, per discharge time and per transfer version', () => {
    expect(occasionOf(visit('IMP', 'in-progress', at('WARD4')), undefined, 1)).toEqual({
      event: 'admission',
      key: 'admission',
      where: 'WARD4',
    });
    expect(occasionOf(visit('IMP', 'finished', ended), visit('IMP', 'in-progress'), 3)?.key).toBe(
      'discharge:2025-03-05T12:00:00Z',
    );
    expect(occasionOf(visit('IMP', 'in-progress', at('B')), visit('IMP', 'in-progress', at('A')), 7)?.key).toBe(
      'transfer:7',
    );
    expect(occasionOf(visit('IMP', 'entered-in-error'), visit('IMP', 'in-progress'), 4)?.key).toBe('cancelled');
    expect(occasionOf(visit('IMP', 'in-progress'), visit('IMP', 'finished', ended), 5)?.key).toBe(
      'discharge-cancelled:2025-03-05T12:00:00Z',
    );
  });
});
