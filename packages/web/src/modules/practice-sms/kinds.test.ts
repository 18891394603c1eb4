import { describe, expect, it } from 'vitest';
import { describeKind } from './kinds.ts';

describe('describeKind', () => {
  it.each([
    ['reminder', 'Appointment reminder'],
    ['cancel', 'Cancel reply'],
    ['acknowledgement', 'Automatic acknowledgement'],
    ['something-new', 'something-new'],
  ])('%s reads as %j', (kind, words) => expect(describeKind(kind)).toBe(words));
});
