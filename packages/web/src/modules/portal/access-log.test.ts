import { describe, expect, it } from 'vitest';
import { filterFromSearch, visits, type AuditEntry } from './access-log.ts';

let seq = 0;
function entry(minute: number, actor: AuditEntry['actor'], extra: Partial<AuditEntry> = {}): AuditEntry {
  seq += 1;
  return {
    seq,
    recordedAt: new Date(Date.UTC(2026, 11, 7, 10, minute)).toISOString(),
    actor,
    interaction: 'read',
    decision: 'permit',
    breakGlassReason: null,
    resourceRefs: [],
    ...extra,
  };
}
const me = { kind: 'patient', patient: 'Patient/p1' };
const nurse = { kind: 'staff', practitioner: 'Practitioner/n1', organization: 'Organization/o1', role: 'R8001' };
const all = { who: 'all', concerns: false } as const;

describe('visits', () => {
  it("folds one person's repeated looks in one sitting into a row with a count, newest first", () => {
    const log = [entry(50, me), entry(45, me), entry(40, me), entry(30, nurse), entry(29, nurse)];
    const rows = visits(log, all);
    expect(rows.map((r) => [r.entry.actor.kind, r.count, r.from.slice(11, 16)])).toEqual([
      ['patient', 3, '10:40'],
      ['staff', 2, '10:29'],
    ]);
  });

  it('starts a new row after a 30-minute gap, another person, or another kind of action', () => {
    const log = [entry(59, me), entry(20, me), entry(19, nurse), entry(18, nurse, { interaction: 'update' })];
    expect(visits(log, all).map((r) => r.count)).toEqual([1, 1, 1, 1]);
  });

  it('never folds emergency access or refusals, so each can be checked', () => {
    const log = [
      entry(10, nurse, { decision: 'break-glass', breakGlassReason: 'Unconscious in A&E' }),
      entry(9, nurse, { decision: 'break-glass', breakGlassReason: 'Unconscious in A&E' }),
      entry(8, nurse, { decision: 'deny' }),
      entry(7, nurse, { decision: 'deny' }),
    ];
    expect(visits(log, all).map((r) => r.count)).toEqual([1, 1, 1, 1]);
  });

  it('filters by who and to emergency access and refusals only', () => {
    const log = [
      entry(10, me),
      entry(9, nurse),
      entry(8, { kind: 'system', clientId: 'bulk' }),
      entry(7, { kind: 'related-person', relatedPerson: 'RelatedPerson/c1' }),
      entry(6, nurse, { decision: 'deny' }),
    ];
    const kinds = (who: 'all' | 'staff' | 'systems' | 'family', concerns = false) =>
      visits(log, { who, concerns }).map((r) => r.entry.seq - log[0]!.seq);
    expect(kinds('staff')).toEqual([1, 4]);
    expect(kinds('systems')).toEqual([2]);
    expect(kinds('family')).toEqual([0, 3]);
    expect(kinds('all', true)).toEqual([4]);
  });
});

describe('filterFromSearch', () => {
  it('reads the filter from the address and ignores what it does not know', () => {
    expect(filterFromSearch(new URLSearchParams('who=staff&concerns=1'))).toEqual({ who: 'staff', concerns: true });
    expect(filterFromSearch(new URLSearchParams('who=everyone'))).toEqual({ who: 'all', concerns: false });
  });
});
