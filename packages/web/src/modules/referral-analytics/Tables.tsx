import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import type { Dashboard, PracticeRow } from './api.ts';
import { count, decimal, FLAG_TEXT, percent, REASON_TEXT } from './format.ts';
import { SPECIALTIES } from './api.ts';

const flagTag = (flag: PracticeRow['flags']['electronic']) =>
  flag === 'within' ? (
    'Within range'
  ) : (
    <strong className={`nhsuk-tag ${FLAG_TEXT[flag].tag}`}>{FLAG_TEXT[flag].label}</strong>
  );

const practiceColumn: Column<PracticeRow> = { key: 'name', header: 'Practice', cell: (r) => r.name, rowHeader: true };

/**
 * Each practice (and the area) with every measure, in two tables so that each fits a laptop screen
 * (the CSV has all the columns in one).
 */
export function PracticeTable({ dashboard }: { dashboard: Dashboard }) {
  const rows = [dashboard.area, ...dashboard.practices];
  const referrals: Column<PracticeRow>[] = [
    practiceColumn,
    { key: 'list', header: 'Registered patients', cell: (r) => r.listSize.toLocaleString('en-GB'), numeric: true },
    { key: 'referrals', header: 'Referrals', cell: (r) => count(r.referrals), numeric: true },
    {
      key: 'electronic',
      header: 'Electronic',
      cell: (r) => (
        <>
          {percent(r.electronicShare)}
          {r.belowTarget && (
            <>
              {' '}
              <strong className="nhsuk-tag nhsuk-tag--red">Below 80%</strong>
            </>
          )}
        </>
      ),
      numeric: true,
    },
    {
      key: 'rate',
      header: 'Standardised rate per 1,000 a year',
      cell: (r) => decimal(r.standardisedRatePer1000),
      numeric: true,
    },
    { key: 'rate-flag', header: 'Referral rate against the area', cell: (r) => flagTag(r.flags.referralRate) },
  ];
  const outcomes: Column<PracticeRow>[] = [
    practiceColumn,
    {
      key: 'advice',
      header: 'Advice requests (referrals avoided)',
      cell: (r) => `${count(r.adviceRequests)} (${count(r.adviceAvoided)})`,
    },
    { key: 'rejected', header: 'Rejected or returned', cell: (r) => percent(r.rejectionRate), numeric: true },
    { key: 'slots', header: 'Slot issues', cell: (r) => percent(r.slotIssueRate), numeric: true },
    {
      key: 'wait',
      header: 'Median wait (days)',
      cell: (r) => (r.medianWaitDays === null ? '–' : String(r.medianWaitDays)),
      numeric: true,
    },
    { key: 'dna', header: 'Did not attend', cell: (r) => percent(r.dnaRate), numeric: true },
  ];
  return (
    <>
      <ResponsiveTable caption="Practices against the area" columns={referrals} rows={rows} rowKey={(r) => r.id} />
      <ResponsiveTable
        caption="Advice and guidance, decisions, waits and attendance"
        columns={outcomes}
        rows={rows}
        rowKey={(r) => r.id}
      />
    </>
  );
}

type SpecialtyRow = Dashboard['specialties'][number];
const specialtyName = (code: string) => SPECIALTIES.find(([c]) => c === code)?.[1] ?? code;

/** Referral rates per 1,000 by specialty: the area's, and which practices are outside the funnel. */
export function SpecialtyTable({ dashboard }: { dashboard: Dashboard }) {
  const own = dashboard.view === 'practice' ? dashboard.practice?.id : undefined;
  const columns: Column<SpecialtyRow>[] = [
    { key: 'specialty', header: 'Specialty', cell: (s) => specialtyName(s.specialty), rowHeader: true },
    { key: 'area', header: 'Area rate per 1,000 a year', cell: (s) => decimal(s.areaRatePer1000, 2), numeric: true },
    ...(own
      ? [
          {
            key: 'own',
            header: 'Your standardised rate',
            cell: (s: SpecialtyRow) => decimal(s.practices.find((p) => p.id === own)?.ratePer1000, 2),
            numeric: true,
          },
          {
            key: 'flag',
            header: 'Against the area',
            cell: (s: SpecialtyRow) => flagTag(s.practices.find((p) => p.id === own)?.flag ?? 'within'),
          },
        ]
      : [
          {
            key: 'high',
            header: 'Practices above the area (99.8%)',
            cell: (s: SpecialtyRow) =>
              s.practices
                .filter((p) => p.flag === 'high-alarm')
                .map((p) => p.name)
                .join(', ') || 'None',
          },
          {
            key: 'low',
            header: 'Practices below the area (99.8%)',
            cell: (s: SpecialtyRow) =>
              s.practices
                .filter((p) => p.flag === 'low-alarm')
                .map((p) => p.name)
                .join(', ') || 'None',
          },
        ]),
  ];
  return (
    <ResponsiveTable
      caption="Referral rates by specialty (age/sex standardised)"
      columns={columns}
      rows={dashboard.specialties}
      rowKey={(s) => s.specialty}
    />
  );
}

type ReasonRow = Dashboard['reasons'][number];

export function ReasonTable({ dashboard }: { dashboard: Dashboard }) {
  const columns: Column<ReasonRow>[] = [
    { key: 'reason', header: 'Reason', cell: (r) => REASON_TEXT[r.reason] ?? r.reason, rowHeader: true },
    {
      key: 'decision',
      header: 'Decision',
      cell: (r) => (r.decision === 'rejected' ? 'Rejected' : 'Returned with advice'),
    },
    { key: 'area', header: 'Area', cell: (r) => count(r.area), numeric: true },
    ...(dashboard.practice
      ? [
          {
            key: 'practice',
            header: dashboard.practice.name,
            cell: (r: ReasonRow) => (r.practice === undefined ? '–' : count(r.practice)),
            numeric: true,
          },
        ]
      : []),
  ];
  return dashboard.reasons.length ? (
    <ResponsiveTable
      caption="Rejected and returned referrals by reason"
      columns={columns}
      rows={dashboard.reasons}
      rowKey={(r) => `${r.decision}-${r.reason}`}
    />
  ) : (
    <p className="nhsuk-body">No referral was rejected or returned in the period.</p>
  );
}
