/**
 * The telehealth summary as a FHIR `Composition` (pure: built from what the caller could read). One
 * section per measure (how many readings, lowest, highest, latest, and how many at each level), one
 * for the alerts in the period and what was done about them, and one for engagement.
 */
import type { Composition, CompositionSection, Reference } from '@medplum/fhirtypes';
import type { AlertView } from './alert-view.ts';
import type { Engagement } from './engagement.ts';
import type { Level, Reading } from './readings.ts';

export const SUMMARY_TYPE = { system: 'http://loinc.org', code: '34133-9', display: 'Summary of episode note' };
const SECTION_SYSTEM = 'https://careweave.example/fhir/CodeSystem/telehealth-summary-section';

export interface SummaryInput {
  patient: Reference;
  carePlan: string;
  protocolTitle: string;
  author: string;
  organisation: string;
  period: { start: Date; end: Date };
  series: { measure: string; label: string; unit: string; readings: Reading[] }[];
  alerts: AlertView[];
  engagement: Engagement;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const day = (iso: string): string =>
  new Date(iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'Europe/London',
  });

function narrative(lines: string[]): CompositionSection['text'] {
  const items = lines.map((line) => `<li>${escape(line)}</li>`).join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><ul>${items}</ul></div>` };
}

function section(code: string, title: string, lines: string[], entry: Reference[] = []): CompositionSection {
  return {
    title,
    code: { coding: [{ system: SECTION_SYSTEM, code }], text: title },
    text: narrative(lines.length ? lines : ['None in this period.']),
    ...(entry.length ? { entry } : {}),
  };
}

/** "42 readings; lowest 86 %, highest 97 %; latest 94 % on 5 Dec 2026; 38 green, 3 amber, 1 red." */
export function measureLine(series: SummaryInput['series'][number]): string {
  const readings = series.readings;
  const first = (r: Reading): number => r.values[0]?.value ?? 0;
  const lowest = readings.reduce((a, b) => (first(b) < first(a) ? b : a));
  const highest = readings.reduce((a, b) => (first(b) > first(a) ? b : a));
  const latest = readings.at(-1)!;
  const counts = (['green', 'amber', 'red'] as Level[])
    .map((level) => `${readings.filter((r) => r.level === level).length} ${level}`)
    .join(', ');
  return (
    `${series.label}: ${readings.length} reading${readings.length === 1 ? '' : 's'}; lowest ${lowest.display}, ` +
    `highest ${highest.display}; latest ${latest.display} on ${day(latest.at)}; ${counts}.`
  );
}

function alertLine(alert: AlertView): string {
  const done = alert.notes.map((note) => note.text).join('; ');
  const state = alert.status === 'completed' ? 'closed' : alert.status === 'in-progress' ? 'acknowledged' : 'open';
  return `${alert.raisedAt ? day(alert.raisedAt) : 'Undated'}: ${alert.level} — ${alert.reason} — ${state}${done ? ` (${done})` : ''}.`;
}

function engagementLine(engagement: Engagement): string {
  const rate =
    engagement.responseRate === null
      ? 'no prompts were due'
      : `${Math.round(engagement.responseRate * 100)}% response rate`;
  return (
    `Last ${engagement.windowDays} days: ${engagement.promptsSent} prompts sent, ${engagement.repliesReceived} answered ` +
    `(${rate}); last reply ${engagement.lastReplyAt ? day(engagement.lastReplyAt) : 'never'}` +
    `${engagement.droppedOff ? '; NOT REPLIED FOR 7 DAYS OR MORE' : ''}.`
  );
}

/** The summary Composition (not yet stored). */
export function summaryComposition(input: SummaryInput, now = new Date()): Composition {
  const measured = input.series.filter((s) => s.readings.length);
  return {
    resourceType: 'Composition',
    status: 'final',
    type: { coding: [SUMMARY_TYPE], text: 'Telehealth monitoring summary' },
    subject: input.patient,
    date: now.toISOString(),
    author: [{ reference: input.author }],
    custodian: { reference: input.organisation },
    title: `Telehealth summary: ${input.protocolTitle}, ${day(input.period.start.toISOString())} to ${day(input.period.end.toISOString())}`,
    event: [{ period: { start: input.period.start.toISOString(), end: input.period.end.toISOString() } }],
    section: [
      section(
        'readings',
        'Readings',
        measured.map(measureLine),
        measured.map((s) => ({ reference: s.readings.at(-1)!.observation })),
      ),
      section(
        'alerts',
        'Alerts and actions',
        input.alerts.map(alertLine),
        input.alerts.map((a) => ({ reference: a.task })),
      ),
      section('engagement', 'Engagement', [engagementLine(input.engagement)], [{ reference: input.carePlan }]),
    ],
  };
}
