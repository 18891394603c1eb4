import { describe, expect, it } from 'vitest';
import { actionsFor } from './thread.ts';
import { addWorkingDays, attachmentProblems, higherPriority, isOverdue, MAX_ATTACHMENT_BYTES } from './rules.ts';

const b64 = (bytes: number[] | Buffer) => Buffer.from(bytes).toString('base64');
const PNG = b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const PDF = b64(Buffer.from('%PDF-1.4\n%%EOF\n'));

describe('addWorkingDays', () => {
  it.each([
    ['a Monday + 2 is the Wednesday', '2026-12-07T09:00:00Z', 2, '2026-12-09T09:00:00.000Z'],
    ['a Thursday + 2 is the Monday', '2026-12-10T09:00:00Z', 2, '2026-12-14T09:00:00.000Z'],
    ['a Friday + 1 is the Monday', '2026-12-11T17:30:00Z', 1, '2026-12-14T17:30:00.000Z'],
    ['a Saturday + 1 is the Monday', '2026-12-12T10:00:00Z', 1, '2026-12-14T10:00:00.000Z'],
  ])('%s', (_what, from, days, due) => {
    expect(addWorkingDays(new Date(from), days).toISOString()).toBe(due);
  });
});

describe('isOverdue', () => {
  const now = new Date('2026-12-10T12:00:00Z');
  it.each([
    ['awaiting advice, past due', 'awaiting-advice', '2026-12-10T11:59:00Z', true],
    ['awaiting advice, not yet due', 'awaiting-advice', '2026-12-10T12:01:00Z', false],
    ['the GP’s turn is never the provider’s overdue', 'information-requested', '2026-12-01T00:00:00Z', false],
    ['closed', 'closed', '2026-12-01T00:00:00Z', false],
  ] as const)('%s', (_what, status, due, overdue) => {
    expect(isOverdue(status, due, now)).toBe(overdue);
  });
});

describe('attachmentProblems', () => {
  it.each([
    ['a PNG', { contentType: 'image/png', data: PNG }, 0],
    ['a PDF with its size', { contentType: 'application/pdf', data: PDF, size: 15 }, 0],
    ['an executable', { contentType: 'application/x-msdownload', data: b64([0x4d, 0x5a]) }, 1],
    ['HTML', { contentType: 'text/html', data: b64(Buffer.from('<script>')) }, 1],
    ['an executable calling itself a PNG', { contentType: 'image/png', data: b64([0x4d, 0x5a, 0x90, 0]) }, 1],
    ['a link instead of the file', { contentType: 'application/pdf', url: 'https://evil.example/x.pdf' }, 1],
    ['not base64', { contentType: 'image/png', data: '!!!not base64' }, 1],
    ['a wrong size', { contentType: 'image/png', data: PNG, size: 99 }, 1],
  ])('%s: %i problem(s)', (_what, attachment, problems) => {
    expect(attachmentProblems(attachment)).toHaveLength(problems);
  });

  it('refuses a file over the size limit', () => {
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1);
    Buffer.from([0x25, 0x50, 0x44, 0x46]).copy(big);
    expect(attachmentProblems({ contentType: 'application/pdf', data: b64(big) })[0]).toMatch(/over the limit/);
  });
});

describe('whose turn', () => {
  it.each([
    ['provider', 'awaiting-advice', ['answer', 'question', 'propose-referral']],
    ['requester', 'awaiting-advice', ['reply', 'close']],
    ['requester', 'advice-given', ['reply', 'close']],
    ['provider', 'advice-given', ['propose-referral']],
    ['requester', 'conversion-proposed', ['accept-referral', 'decline-referral']],
    ['provider', 'closed', []],
  ] as const)('%s in %s may %j', (side, status, actions) => {
    expect(actionsFor(side, status)).toEqual(actions);
  });

  it('a converted referral keeps the more urgent priority', () => {
    expect(higherPriority('urgent', 'routine')).toBe('urgent');
    expect(higherPriority('routine', 'two-week-wait')).toBe('two-week-wait');
  });
});
