import { describe, expect, it } from 'vitest';
import { isCancelReply } from './commands.ts';

describe('isCancelReply', () => {
  it.each([
    'CANCEL',
    'cancel',
    ' Cancel ',
    'Cancel please',
    'please cancel',
    'cancel it',
    'Cancel my appointment.',
    'yes cancel',
    'cancel, thanks',
    'Cancel appt pls',
  ])('cancels on %j', (body) => expect(isCancelReply(body)).toBe(true));
  it.each([
    "can't make it",
    'cancel and rebook?',
    "don't cancel",
    'I need to cancel my prescription',
    'cancelled',
    'can I cancel tomorrow and come friday',
    'running late',
    'STOP',
    '',
  ])('does not cancel on %j (the practice reads it)', (body) => expect(isCancelReply(body)).toBe(false));
});
