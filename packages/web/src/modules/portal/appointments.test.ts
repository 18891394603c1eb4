import type { Slot } from '@medplum/fhirtypes';
import { describe, expect, it, test } from 'vitest';
import {
  ANY,
  describeChoice,
  filterChoices,
  groupVisits,
  kindText,
  parseShow,
  SERVICE_TYPE_SYSTEM,
  slotChoice,
  type Visit,
} from './appointments.ts';
import { CHANNEL_SYSTEM, channelOf } from '../../lib/appointment-channel.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const visit = (key: string, start: string, status: string, appointment = true): Visit => ({
  key,
  what: 'GP appointment',
  start,
  where: 'Practice',
  status,
  ...(appointment ? { appointment: { resourceType: 'Appointment', status: 'booked', participant: [] } } : {}),
});

const gp = { coding: [{ system: SERVICE_TYPE_SYSTEM, code: 'gp', display: 'GP appointment' }] };
const nurse = { coding: [{ system: SERVICE_TYPE_SYSTEM, code: 'nurse', display: 'Practice nurse appointment' }] };
const phone = { coding: [{ system: CHANNEL_SYSTEM, code: 'telephone' }] };
const inPerson = { coding: [{ system: CHANNEL_SYSTEM, code: 'face-to-face' }] };
const slot = (id: string, start: string, serviceType: Slot['serviceType']): Slot => ({
  resourceType: 'Slot',
  id,
  schedule: { reference: 'Schedule/s' },
  status: 'free',
  start,
  end: start,
  serviceType,
});

describe('groupVisits', () => {
  it('puts booked future appointments in upcoming, cancelled ones (past or future) in cancelled, the rest in past', () => {
    const groups = groupVisits(
      [
        visit('later', '2026-12-09T09:00:00Z', 'booked'),
        visit('soon', '2026-12-08T09:00:00Z', 'booked'),
        visit('cancelled-future', '2026-12-10T09:00:00Z', 'cancelled'),
        visit('cancelled-past', '2026-11-10T09:00:00Z', 'cancelled'),
        visit('held', '2026-11-01T09:00:00Z', 'fulfilled'),
        visit('missed', '2026-11-02T09:00:00Z', 'noshow'),
        visit('visit', '2026-10-01T09:00:00Z', 'finished', false),
        visit('error', '2026-11-03T09:00:00Z', 'entered-in-error'),
      ],
      NOW,
    );
    expect(groups.upcoming.map((v) => v.key)).toEqual(['soon', 'later']);
    expect(groups.cancelled.map((v) => v.key)).toEqual(['cancelled-future', 'cancelled-past']);
    expect(groups.past.map((v) => v.key)).toEqual(['missed', 'held', 'visit']);
  });

  test.each([
    ['past', 'past'],
    ['cancelled', 'cancelled'],
    [null, 'upcoming'],
    ['nonsense', 'upcoming'],
  ])('reads show=%s as %s', (value, show) => {
    expect(parseShow(value)).toBe(show);
  });
});

describe('slot choices', () => {
  const choices = [
    slot('a', '2026-12-08T08:30:00Z', [gp, phone]),
    slot('b', '2026-12-08T14:00:00Z', [gp, inPerson]),
    slot('c', '2026-12-08T09:20:00Z', [nurse, inPerson]),
  ].map((s) => slotChoice(s, new Map([['s', { resourceType: 'Schedule', actor: [] }]])));

  it('knows the kind and the channel of a slot', () => {
    expect(channelOf([gp, phone])).toBe('telephone');
    expect(channelOf([gp])).toBeUndefined();
    expect(kindText([phone, nurse])).toBe('Practice nurse appointment');
    expect(describeChoice(choices[0]!)).toBe('08:30, GP appointment, by phone');
  });

  it('filters by who with, how and time of day (in England)', () => {
    const ids = (filter: typeof ANY) => filterChoices(choices, filter).map((c) => c.slot.id);
    expect(ids(ANY)).toEqual(['a', 'b', 'c']);
    expect(ids({ ...ANY, kind: 'gp' })).toEqual(['a', 'b']);
    expect(ids({ ...ANY, channel: 'telephone' })).toEqual(['a']);
    expect(ids({ ...ANY, time: 'afternoon' })).toEqual(['b']);
    expect(ids({ kind: 'nurse', channel: 'face-to-face', time: 'morning' })).toEqual(['c']);
  });
});
