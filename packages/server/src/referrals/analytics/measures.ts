/**
 * The measures from the repository's counts (docs/REFERRALS.md, "Analytics"): per practice and for the
 * area, the electronic share, referral rates per 1,000 registered patients (crude and indirectly
 * age/sex standardised), advice and guidance, decisions, slot issues, waits and did-not-attend, with
 * each practice placed on the funnel of the area's value. Pure functions of the counts.
 */
import type { AdviceCell, PopulationCell, ReasonCell, ReferralCell, WaitCell } from './analytics.repository.ts';
import { proportionFlag, proportionLimits, ratioFlag, ratioLimits, type FunnelFlag, type Limits } from './funnel.ts';

export interface Counts {
  referrals: number;
  electronic: number;
  withTask: number;
  rejected: number;
  returned: number;
  slotIssues: number;
  attended: number;
  dna: number;
  adviceRequests: number;
  adviceAvoided: number;
}

export interface Figures extends Counts {
  id: string;
  listSize: number;
  /** Indirect standardisation: the referrals expected from the practice's age/sex mix at area rates. */
  expected: number;
  medianWaitDays: number | null;
  /** How many referrals the median wait is of (a median of fewer than five is not shown to commissioners). */
  waited: number;
}

export interface FunnelPoint {
  /** The denominator (referrals, or expected referrals for a ratio). */
  size: number;
  value: number;
  flag: FunnelFlag;
  limits?: Limits;
}

export interface Measured extends Figures {
  electronicShare: number | null;
  /** Referrals per 1,000 registered patients per year (crude), and standardised to the area's age/sex mix. */
  ratePer1000: number | null;
  standardisedRatio: number | null;
  standardisedRatePer1000: number | null;
  rejectionRate: number | null;
  slotIssueRate: number | null;
  dnaRate: number | null;
  funnels: {
    electronic?: FunnelPoint;
    referralRate?: FunnelPoint;
    rejection?: FunnelPoint;
    dna?: FunnelPoint;
  };
}

const EMPTY: Counts = {
  referrals: 0,
  electronic: 0,
  withTask: 0,
  rejected: 0,
  returned: 0,
  slotIssues: 0,
  attended: 0,
  dna: 0,
  adviceRequests: 0,
  adviceAvoided: 0,
};

const stratum = (band: string, sex: string): string => `${band}|${sex}`;
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function add(into: Counts, cell: ReferralCell): void {
  into.referrals += cell.referrals;
  into.electronic += cell.channel === 'electronic-referral' ? cell.referrals : 0;
  into.withTask += cell.withTask;
  into.rejected += cell.rejected;
  into.returned += cell.returned;
  into.slotIssues += cell.slotIssues;
  into.attended += cell.attended;
  into.dna += cell.dna;
}

function median(waits: readonly WaitCell[]): number | null {
  const sorted = [...waits].sort((a, b) => a.waitDays - b.waitDays);
  const total = sorted.reduce((sum, w) => sum + w.referrals, 0);
  if (!total) {
    return null;
  }
  let seen = 0;
  for (const w of sorted) {
    seen += w.referrals;
    if (seen * 2 >= total) {
      return w.waitDays;
    }
  }
  return sorted.at(-1)!.waitDays;
}

export interface Inputs {
  cells: readonly ReferralCell[];
  waits: readonly WaitCell[];
  advice: readonly AdviceCell[];
  population: readonly PopulationCell[];
  /** Months in the period (to annualise rates). */
  months: number;
}

/**
 * Each practice's figures and the area's. The area is every practice with registered patients or
 * referrals; the expected count uses area rates per age band and sex over practices with a list.
 */
export function figuresOf(inputs: Inputs): { area: Figures; practices: Figures[] } {
  const ids = [
    ...new Set([...inputs.population.map((p) => p.practice), ...inputs.cells.map((c) => c.practice)]),
  ].sort();
  const counts = new Map<string, Counts>(ids.map((id) => [id, { ...EMPTY }]));
  const area: Counts = { ...EMPTY };
  for (const cell of inputs.cells) {
    add(counts.get(cell.practice)!, cell);
    add(area, cell);
  }
  for (const cell of inputs.advice) {
    const into = counts.get(cell.practice);
    for (const target of into ? [into, area] : [area]) {
      target.adviceRequests += cell.requests;
      target.adviceAvoided += cell.avoided;
    }
  }
  const expected = expectedReferrals(inputs.cells, inputs.population);
  const listSize = new Map<string, number>();
  for (const p of inputs.population) {
    listSize.set(p.practice, (listSize.get(p.practice) ?? 0) + p.patients);
  }
  const practices = ids.map((id) => ({
    id,
    ...counts.get(id)!,
    listSize: listSize.get(id) ?? 0,
    expected: expected.get(id) ?? 0,
    medianWaitDays: median(inputs.waits.filter((w) => w.practice === id)),
    waited: inputs.waits.filter((w) => w.practice === id).reduce((sum, w) => sum + w.referrals, 0),
  }));
  return {
    area: {
      id: 'area',
      ...area,
      listSize: [...listSize.values()].reduce((a, b) => a + b, 0),
      expected: practices.reduce((sum, p) => sum + p.expected, 0),
      medianWaitDays: median(inputs.waits),
      waited: inputs.waits.reduce((sum, w) => sum + w.referrals, 0),
    },
    practices,
  };
}

/**
 * Indirect standardisation: the area's referral rate in each age band and sex (referrals of patients
 * of practices with a list, over those lists), applied to each practice's own list.
 */
export function expectedReferrals(
  cells: readonly ReferralCell[],
  population: readonly PopulationCell[],
): Map<string, number> {
  const listed = new Set(population.map((p) => p.practice));
  const people = new Map<string, number>();
  for (const p of population) {
    people.set(stratum(p.band, p.sex), (people.get(stratum(p.band, p.sex)) ?? 0) + p.patients);
  }
  const referred = new Map<string, number>();
  for (const c of cells) {
    if (listed.has(c.practice)) {
      referred.set(stratum(c.band, c.sex), (referred.get(stratum(c.band, c.sex)) ?? 0) + c.referrals);
    }
  }
  const expected = new Map<string, number>();
  for (const p of population) {
    const key = stratum(p.band, p.sex);
    const rate = (referred.get(key) ?? 0) / (people.get(key) ?? 1);
    expected.set(p.practice, (expected.get(p.practice) ?? 0) + p.patients * rate);
  }
  return expected;
}

/** The measures of `figures`, each placed on the funnel of the area's value. */
export function measure(figures: Figures, area: Figures, months: number): Measured {
  const perYear = 12 / Math.max(1, months);
  const crudeArea = ratio(area.referrals, area.listSize);
  const sr = figures.expected > 0 ? figures.referrals / figures.expected : null;
  const proportion = (count: number, of: number, theta: number | null): FunnelPoint | undefined => {
    if (of <= 0 || theta === null) {
      return undefined;
    }
    const limits = proportionLimits(of, theta);
    return { size: of, value: count / of, flag: proportionFlag(count, of, theta), ...(limits ? { limits } : {}) };
  };
  const seen = figures.attended + figures.dna;
  const areaSeen = area.attended + area.dna;
  const ratioLimit = ratioLimits(figures.expected);
  return {
    ...figures,
    electronicShare: ratio(figures.electronic, figures.referrals),
    ratePer1000: figures.listSize > 0 ? (figures.referrals / figures.listSize) * 1000 * perYear : null,
    standardisedRatio: sr,
    standardisedRatePer1000: sr !== null && crudeArea !== null ? sr * crudeArea * 1000 * perYear : null,
    rejectionRate: ratio(figures.rejected + figures.returned, figures.withTask),
    slotIssueRate: ratio(figures.slotIssues, figures.withTask),
    dnaRate: ratio(figures.dna, seen),
    funnels: {
      electronic: proportion(figures.electronic, figures.referrals, ratio(area.electronic, area.referrals)),
      ...(sr !== null
        ? {
            referralRate: {
              size: figures.expected,
              value: sr,
              flag: ratioFlag(figures.referrals, figures.expected),
              ...(ratioLimit ? { limits: ratioLimit } : {}),
            },
          }
        : {}),
      rejection: proportion(
        figures.rejected + figures.returned,
        figures.withTask,
        ratio(area.rejected + area.returned, area.withTask),
      ),
      dna: proportion(figures.dna, seen, ratio(area.dna, areaSeen)),
    },
  };
}

/** Electronic share by month for the area and (optionally) some practices. */
export function monthly(
  cells: readonly ReferralCell[],
  months: readonly string[],
  practice?: string,
): { month: string; referrals: number; electronic: number }[] {
  return months.map((month) => {
    const inMonth = cells.filter((c) => c.month === month && (!practice || c.practice === practice));
    return {
      month,
      referrals: inMonth.reduce((sum, c) => sum + c.referrals, 0),
      electronic: inMonth.filter((c) => c.channel === 'electronic-referral').reduce((sum, c) => sum + c.referrals, 0),
    };
  });
}

/** Rejections and returns by reason, for the area and one practice. */
export function byReason(
  reasons: readonly ReasonCell[],
  practice?: string,
): { decision: ReasonCell['decision']; reason: string; referrals: number }[] {
  const out = new Map<string, { decision: ReasonCell['decision']; reason: string; referrals: number }>();
  for (const r of reasons) {
    if (practice && r.practice !== practice) {
      continue;
    }
    const key = `${r.decision}|${r.reason}`;
    const held = out.get(key) ?? { decision: r.decision, reason: r.reason, referrals: 0 };
    held.referrals += r.referrals;
    out.set(key, held);
  }
  return [...out.values()].sort((a, b) => b.referrals - a.referrals);
}
