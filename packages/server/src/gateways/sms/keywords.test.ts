import { describe, expect, test } from 'vitest';
import { optKeyword } from './keywords.ts';

describe('optKeyword', () => {
  test.each(['STOP', 'stop', ' Stop \n', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit'])('%j opts out', (body) => {
    expect(optKeyword(body)).toBe('opt-out');
  });

  test.each(['START', ' start', 'Unstop'])('%j opts back in', (body) => {
    expect(optKeyword(body)).toBe('opt-in');
  });

  test.each(['YES', 'please stop the tablets', 'STOP!', 'stop it', '', '120/80'])('%j is a message', (body) => {
    expect(optKeyword(body)).toBeUndefined();
  });
});
