import { describe, expect, it } from 'vitest';
import { auditSearchPath, thirtyDaysAgo } from './api.ts';

describe('auditSearchPath', () => {
  it('turns the form into the audit API’s filters, dates inclusive at both ends', () => {
    expect(
      auditSearchPath({ patient: 'p1', from: '2026-11-01', to: '2026-11-30', concern: 'break-glass', before: 90 }),
    ).toBe('/api/access/audit?_count=50&patient=p1&date=ge2026-11-01&date=le2026-11-30&concern=break-glass&before=90');
  });

  it('sends only the count when nothing is chosen', () => {
    expect(auditSearchPath({})).toBe('/api/access/audit?_count=50');
  });

  it('reviews the last 30 days', () => {
    expect(thirtyDaysAgo(new Date('2026-12-07T10:00:00Z'))).toBe('2026-11-07');
  });
});
