import { describe, expect, it } from 'vitest';
import { actionsFor, formIdFor, outsideWindow, waitWords } from './vocabulary.ts';

describe('referral vocabulary', () => {
  it.each([
    ['msk', 'routine', 'referral-form-msk'],
    ['dermatology', 'two-week-wait', 'referral-form-suspected-cancer'],
    ['trauma-orthopaedics', 'routine', undefined],
    ['breast', 'two-week-wait', 'referral-form-suspected-cancer'],
  ] as const)('%s %s uses %s', (specialty, priority, form) => {
    expect(formIdFor(specialty, priority)).toBe(form);
  });

  it.each([
    ['for-review', 'active', ['triage']],
    ['awaiting-booking', 'active', ['book']],
    ['booked', 'active', ['attendance']],
    ['did-not-attend', 'active', ['book', 'discharge']],
    ['discharged', 'completed', []],
  ])('%s (%s) offers the provider %j', (status, request, actions) => {
    expect(actionsFor(status, request)).toEqual(actions);
  });

  it.each([
    ['for-review', 'active', []],
    ['booked', 'active', []],
    ['awaiting-booking', 'active', ['book']],
    ['rejected', 'on-hold', ['acknowledge']],
  ])('%s (%s) offers the referrer %j', (status, request, actions) => {
    expect(actionsFor(status, request, 'referrer')).toEqual(actions);
  });

  it('says waits in days, then weeks', () => {
    expect([waitWords(1), waitWords(6), waitWords(126), waitWords(undefined)]).toEqual([
      '1 day',
      '6 days',
      'About 18 weeks',
      'No free appointments',
    ]);
  });

  it('warns of a slot after the two-week wait window (H-250)', () => {
    const now = new Date('2026-12-07T09:00:00Z');
    expect(outsideWindow('2026-12-20T09:00:00Z', 'two-week-wait', now)).toBe(false);
    expect(outsideWindow('2026-12-22T09:00:00Z', 'two-week-wait', now)).toBe(true);
    expect(outsideWindow('2026-12-22T09:00:00Z', 'routine', now)).toBe(false);
  });
});
