/**
 * Referral analytics and practice benchmarking (docs/REFERRALS.md, "Analytics"). Who sees what is
 * decided here, first: a commissioner sees every practice's aggregates with small numbers suppressed;
 * staff of a GP practice see their own practice and the area; anyone else is refused (403, audited).
 * Only aggregate counts and the measures computed from them leave this service.
 */
import type { Actor, StaffActor } from '../../access/actor.ts';
import { requireStaff } from '../../access/guards.ts';
import { requireScopes } from '../../auth/scopes.ts';
import { isOperationOutcomeError } from '../../fhir/outcome.ts';
import { forbidden } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import { AnalyticsRepository, type ReferralCell } from './analytics.repository.ts';
import { funnelCurve, type FunnelFlag, type Limits } from './funnel.ts';
import { byReason, figuresOf, measure, monthly, type Figures, type Measured } from './measures.ts';
import { hiddenPositions, isSmall, suppressed, type Shown } from './suppression.ts';
import { ELECTRONIC_TARGETS } from './vocabulary.ts';

export interface AnalyticsFilters {
  /** First and last month, `YYYY-MM`. */
  from: string;
  to: string;
  specialty?: string;
  practice?: string;
}

/** What a token must allow: searching the referrals, their Tasks and the registered Patients. */
const ANALYTICS_SCOPES = [
  { resourceType: 'ServiceRequest', interaction: 's' },
  { resourceType: 'Task', interaction: 's' },
  { resourceType: 'Patient', interaction: 's' },
] as const;

const COUNT_KEYS = [
  'referrals',
  'electronic',
  'adviceRequests',
  'adviceAvoided',
  'rejected',
  'returned',
  'slotIssues',
  'dna',
] as const;
type CountKey = (typeof COUNT_KEYS)[number];

export interface PracticeRow {
  id: string;
  name: string;
  listSize: number;
  referrals: Shown;
  electronic: Shown;
  electronicShare: number | null;
  belowTarget: boolean | null;
  ratePer1000: number | null;
  standardisedRatio: number | null;
  standardisedRatePer1000: number | null;
  expected: number;
  adviceRequests: Shown;
  adviceAvoided: Shown;
  rejected: Shown;
  returned: Shown;
  rejectionRate: number | null;
  slotIssues: Shown;
  slotIssueRate: number | null;
  medianWaitDays: number | null;
  dna: Shown;
  dnaRate: number | null;
  flags: { electronic: FunnelFlag; referralRate: FunnelFlag; rejection: FunnelFlag; dna: FunnelFlag };
}

export interface Funnel {
  measure: 'electronic' | 'referralRate' | 'rejection' | 'dna';
  kind: 'proportion' | 'ratio';
  /** The area's value the limits are around (a ratio's is 1). */
  centre: number | null;
  curve: ({ size: number } & Limits)[];
  points: { id: string; name: string; size: number; value: number | null; flag: FunnelFlag }[];
}

export interface Dashboard {
  view: 'commissioner' | 'practice';
  period: { from: string; to: string; months: string[] };
  specialty: string | null;
  practice: { id: string; name: string } | null;
  targets: readonly number[];
  suppression: string;
  area: PracticeRow;
  practices: PracticeRow[];
  trend: {
    month: string;
    area: { referrals: Shown; share: number | null };
    practice?: { referrals: Shown; share: number | null };
  }[];
  specialties: {
    specialty: string;
    areaRatePer1000: number | null;
    practices: {
      id: string;
      name: string;
      observed: Shown;
      expected: number;
      ratio: number | null;
      ratePer1000: number | null;
      flag: FunnelFlag;
    }[];
  }[];
  reasons: { decision: string; reason: string; area: Shown; practice?: Shown }[];
  funnels: Funnel[];
}

/** `2026-03` → the months from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while ((y < ty || (y === ty && m <= tm)) && out.length < 61) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m = m === 12 ? 1 : m + 1;
    y = m === 1 ? y + 1 : y;
  }
  return out;
}

const nextMonth = (month: string): string => monthsBetween(month, '9999-12')[1] ?? month;
const round = (value: number | null, places = 3): number | null =>
  value === null ? null : Math.round(value * 10 ** places) / 10 ** places;

export class ReferralAnalytics {
  private readonly context: Pick<ModuleContext, 'db' | 'audit'>;
  private readonly repository: AnalyticsRepository;

  constructor(context: Pick<ModuleContext, 'db' | 'audit'>) {
    this.context = context;
    this.repository = new AnalyticsRepository(context.db);
  }

  /** The dashboard for `actor`, or a 403 (audited) for anyone not a commissioner or GP practice staff. */
  async dashboard(actor: Actor | undefined, filters: AnalyticsFilters): Promise<Dashboard> {
    const staff = await this.guard(actor, filters);
    const commissioner = staff.organizationType === 'commissioner';
    const focus = commissioner ? filters.practice : staff.organizationId;
    const months = monthsBetween(filters.from, filters.to);
    const query = {
      from: `${filters.from}-01`,
      to: `${nextMonth(filters.to)}-01`,
      ...(filters.specialty ? { specialty: filters.specialty } : {}),
    };
    const [{ cells, waits, reasons }, population, advice] = await Promise.all([
      this.repository.referrals(query),
      this.repository.population(),
      this.repository.advice(query),
    ]);
    const { area, practices } = figuresOf({ cells, waits, advice, population, months: months.length });
    const names = await this.repository.names(practices.map((p) => p.id));
    const nameOf = (id: string): string => names.get(id) ?? id;
    const measured = practices.map((p) => measure(p, area, months.length));
    const shown = commissioner ? measured : measured.filter((p) => p.id === focus);
    await this.audit(staff, filters, 'allow');
    const hide = commissioner ? hiddenByColumn(measured) : new Map<CountKey, Set<number>>();
    const rows = shown.map((p) => row(p, nameOf(p.id), commissioner ? hide : undefined, measured.indexOf(p)));
    const protect = (n: number): Shown => suppressed(n);
    return {
      view: commissioner ? 'commissioner' : 'practice',
      period: { from: filters.from, to: filters.to, months },
      specialty: filters.specialty ?? null,
      practice: focus ? { id: focus, name: nameOf(focus) } : null,
      targets: ELECTRONIC_TARGETS,
      suppression: 'Counts from 1 to 4 are shown as <5, with any rate computed from them.',
      area: row(measure(area, area, months.length), 'Area (all practices)', 'area'),
      practices: rows,
      trend: trendOf(cells, months, focus, commissioner),
      specialties: specialtiesOf(cells, population, months.length, nameOf, commissioner ? undefined : focus),
      reasons: byReason(reasons).map((r) => ({
        decision: r.decision,
        reason: r.reason,
        area: protect(r.referrals),
        ...(focus
          ? {
              practice: ((n) => (commissioner ? protect(n) : n))(
                byReason(reasons, focus).find((x) => x.decision === r.decision && x.reason === r.reason)?.referrals ??
                  0,
              ),
            }
          : {}),
      })),
      funnels: funnelsOf(measured, area, nameOf, commissioner ? hide : undefined, commissioner ? undefined : focus),
    };
  }

  /** Staff of a commissioner or a GP practice, with the scopes; a GP asks only for their own practice. */
  private async guard(actor: Actor | undefined, filters: AnalyticsFilters): Promise<StaffActor> {
    try {
      const staff = requireStaff(actor, { doing: 'see referral analytics' });
      requireScopes(staff, ANALYTICS_SCOPES);
      if (staff.organizationType !== 'commissioner' && staff.organizationType !== 'gp-practice') {
        throw forbidden('Referral analytics are for commissioners and GP practices');
      }
      if (staff.organizationType === 'gp-practice' && filters.practice && filters.practice !== staff.organizationId) {
        throw forbidden("A practice sees its own referral figures and the area's, not another practice's");
      }
      return staff;
    } catch (error) {
      if (actor && isOperationOutcomeError(error) && error.status === 403) {
        await this.audit(actor, filters, 'deny');
      }
      throw error;
    }
  }

  private async audit(actor: Actor, filters: AnalyticsFilters, decision: 'allow' | 'deny'): Promise<void> {
    await this.context.audit.record(actor, {
      interaction: 'search',
      resources: [],
      patients: [],
      ...(decision === 'deny' ? { decision: 'deny' as const } : {}),
      query: `referral analytics ${JSON.stringify(filters)}`,
    });
  }
}

/** Which practices' counts are hidden, per count (primary and complementary suppression, H-245). */
function hiddenByColumn(practices: readonly Figures[]): Map<CountKey, Set<number>> {
  return new Map(COUNT_KEYS.map((key) => [key, hiddenPositions(practices.map((p) => p[key]))]));
}

function row(
  p: Measured,
  name: string,
  hide: Map<CountKey, Set<number>> | 'area' | undefined,
  index = -1,
): PracticeRow {
  const isHidden = (key: CountKey): boolean =>
    hide === 'area' ? isSmall(p[key]) : hide ? hide.get(key)!.has(index) : false;
  const count = (key: CountKey): Shown => (isHidden(key) ? '<5' : p[key]);
  const rate = (value: number | null, ...keys: CountKey[]): number | null =>
    keys.some(isHidden) ? null : round(value);
  const declinedHidden = hide !== undefined && isSmall(p.rejected + p.returned);
  const electronicShare = rate(p.electronicShare, 'electronic', 'referrals');
  return {
    id: p.id,
    name,
    listSize: p.listSize,
    referrals: count('referrals'),
    electronic: count('electronic'),
    electronicShare,
    belowTarget: electronicShare === null ? null : electronicShare < ELECTRONIC_TARGETS[0],
    ratePer1000: rate(p.ratePer1000, 'referrals'),
    standardisedRatio: rate(p.standardisedRatio, 'referrals'),
    standardisedRatePer1000: rate(p.standardisedRatePer1000, 'referrals'),
    expected: round(p.expected, 1)!,
    adviceRequests: count('adviceRequests'),
    adviceAvoided: count('adviceAvoided'),
    rejected: count('rejected'),
    returned: count('returned'),
    rejectionRate: declinedHidden ? null : rate(p.rejectionRate, 'rejected', 'returned'),
    slotIssues: count('slotIssues'),
    slotIssueRate: rate(p.slotIssueRate, 'slotIssues'),
    medianWaitDays: hide !== undefined && isSmall(p.waited) ? null : p.medianWaitDays,
    dna: count('dna'),
    dnaRate: rate(p.dnaRate, 'dna'),
    flags: {
      electronic: p.funnels.electronic?.flag ?? 'within',
      referralRate: p.funnels.referralRate?.flag ?? 'within',
      rejection: p.funnels.rejection?.flag ?? 'within',
      dna: p.funnels.dna?.flag ?? 'within',
    },
  };
}

function trendOf(
  cells: readonly ReferralCell[],
  months: readonly string[],
  focus: string | undefined,
  commissioner: boolean,
): Dashboard['trend'] {
  const area = monthly(cells, months);
  const own = focus ? monthly(cells, months, focus) : undefined;
  const point = (m: { referrals: number; electronic: number }, protect: boolean) => {
    const small = protect && (isSmall(m.referrals) || isSmall(m.electronic));
    return {
      referrals: protect ? suppressed(m.referrals) : m.referrals,
      share: small || !m.referrals ? null : round(m.electronic / m.referrals),
    };
  };
  return area.map((m, i) => ({
    month: m.month,
    area: point(m, true),
    ...(own ? { practice: point(own[i]!, commissioner) } : {}),
  }));
}

function specialtiesOf(
  cells: readonly ReferralCell[],
  population: Parameters<typeof figuresOf>[0]['population'],
  months: number,
  nameOf: (id: string) => string,
  onlyPractice: string | undefined,
): Dashboard['specialties'] {
  const specialties = [...new Set(cells.map((c) => c.specialty))].sort();
  return specialties.map((specialty) => {
    const { area, practices } = figuresOf({
      cells: cells.filter((c) => c.specialty === specialty),
      waits: [],
      advice: [],
      population,
      months,
    });
    const measured = practices.map((p) => measure(p, area, months));
    const hidden = onlyPractice ? new Set<number>() : hiddenPositions(measured.map((p) => p.referrals));
    const areaRate = measure(area, area, months).ratePer1000;
    return {
      specialty,
      areaRatePer1000: round(areaRate, 2),
      practices: measured.flatMap((p, i) =>
        onlyPractice && p.id !== onlyPractice
          ? []
          : [
              {
                id: p.id,
                name: nameOf(p.id),
                observed: hidden.has(i) ? ('<5' as const) : p.referrals,
                expected: round(p.expected, 1)!,
                ratio: hidden.has(i) ? null : round(p.standardisedRatio),
                ratePer1000: hidden.has(i) ? null : round(p.standardisedRatePer1000, 2),
                flag: p.funnels.referralRate?.flag ?? 'within',
              },
            ],
      ),
    };
  });
}

const FUNNEL_COUNTS: Record<Funnel['measure'], CountKey[]> = {
  electronic: ['electronic', 'referrals'],
  referralRate: ['referrals'],
  rejection: ['rejected', 'returned'],
  dna: ['dna'],
};

function funnelsOf(
  measured: readonly Measured[],
  area: Figures,
  nameOf: (id: string) => string,
  hide: Map<CountKey, Set<number>> | undefined,
  onlyPractice: string | undefined,
): Funnel[] {
  const areaMeasured = measure(area, area, 1);
  const centres: Record<Funnel['measure'], number | null> = {
    electronic: areaMeasured.electronicShare,
    referralRate: 1,
    rejection: areaMeasured.rejectionRate,
    dna: areaMeasured.dnaRate,
  };
  return (Object.keys(FUNNEL_COUNTS) as Funnel['measure'][]).map((name) => {
    const kind = name === 'referralRate' ? 'ratio' : 'proportion';
    const points = measured.flatMap((p, i) => {
      const point = p.funnels[name];
      if (!point || (onlyPractice && p.id !== onlyPractice)) {
        return [];
      }
      const hidden = FUNNEL_COUNTS[name].some((key) => hide?.get(key)?.has(i));
      return [
        {
          id: p.id,
          name: nameOf(p.id),
          size: round(point.size, 1)!,
          value: hidden ? null : round(point.value),
          flag: point.flag,
        },
      ];
    });
    // A practice's own view draws the funnel around its own size only: the area's smallest and largest
    // practices' volumes are not its business.
    const sizes = measured
      .filter((p) => !onlyPractice || p.id === onlyPractice)
      .flatMap((p) => (p.funnels[name] ? [p.funnels[name].size] : []));
    const [from, to] = onlyPractice
      ? [Math.min(...sizes) / 4, Math.max(...sizes) * 2]
      : [Math.min(...sizes), Math.max(...sizes)];
    const centre = centres[name];
    return {
      measure: name,
      kind,
      centre: round(centre),
      curve:
        centre === null || !sizes.length
          ? []
          : funnelCurve(kind, centre, from, to).map((c) => ({
              size: c.size,
              lower95: round(c.lower95)!,
              upper95: round(c.upper95)!,
              lower998: round(c.lower998)!,
              upper998: round(c.upper998)!,
            })),
      points,
    };
  });
}
