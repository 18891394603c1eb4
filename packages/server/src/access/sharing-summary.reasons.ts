import { OUTSIDE_NHS } from './actor.ts';
import { REPRESENTATIVE_ROLE, type Candidate, type Profile } from './sharing-summary.candidates.ts';
import type { CurrentGrant, RecordRow, RuleInForce } from './sharing-summary.repository.ts';

/**
 * Why a recipient can see a category (`visible` true): their organisation's own record, an agreement
 * plus a care relationship, a permit naming them. Why not (`visible` false): they could if they
 * started caring for the patient, or the patient stopped them. `unexplained` means the policy let
 * them see it for a reason none of the probes recognised: the summary and the policy disagree, and
 * the tests fail on it.
 */
export type Basis =
  | 'own-record'
  | 'agreement'
  | 'permission'
  | 'agreement-no-relationship'
  | 'own-record-no-relationship'
  | 'withheld-by-you'
  | 'unexplained';

export interface Cell {
  visible: boolean;
  basis: Set<Basis>;
  /** Visible only to the organisation's staff in these roles (not to its clinical staff). */
  onlyRoles: Set<string>;
}

/** What the policy let each of a candidate's profiles see: indexes into the record's rows. */
export interface Verdicts {
  /** Now, per profile. */
  seen: readonly Set<number>[];
  /** With a care relationship it does not have now, per profile (what-if), when evaluated. */
  whatIf?: readonly Set<number>[];
}

export interface ReasonFacts {
  rows: readonly RecordRow[];
  rules: readonly RuleInForce[];
  grants: readonly CurrentGrant[];
}

/**
 * One category for one recipient: visible exactly when the policy showed a row of it to one of the
 * recipient's profiles; the reasons come from the probes below, which never decide visibility.
 */
export function cellFor(candidate: Candidate, category: string, verdicts: Verdicts, facts: ReasonFacts): Cell {
  const { rows } = facts;
  const cell: Cell = { visible: false, basis: new Set(), onlyRoles: new Set() };
  const indexes = rows.flatMap((row, i) => (row.category === category ? [i] : []));
  const visibleTo: string[] = [];
  candidate.profiles.forEach((profile, p) => {
    const visible = indexes.filter((i) => verdicts.seen[p]?.has(i));
    if (!visible.length) {
      return;
    }
    cell.visible = true;
    visibleTo.push(profile.actor.kind === 'staff' ? profile.actor.roleCode : '');
    for (const i of visible) {
      reasons(profile, rows[i]!, facts).forEach((basis) => cell.basis.add(basis));
    }
  });
  if (cell.visible) {
    if (cell.basis.size === 0) {
      cell.basis.add('unexplained');
    }
    // An organisation whose clinical staff do not see it, but staff in a role an agreement names do.
    if (candidate.kind === 'organisation' && !candidate.role && !visibleTo.includes(REPRESENTATIVE_ROLE)) {
      visibleTo.forEach((role) => cell.onlyRoles.add(role));
    }
    return cell;
  }
  candidate.profiles.forEach((profile, p) => {
    for (const i of indexes.filter((index) => verdicts.whatIf?.[p]?.has(index))) {
      const own = profile.actor.kind === 'staff' && rows[i]!.source === profile.actor.organizationId;
      cell.basis.add(own ? 'own-record-no-relationship' : 'agreement-no-relationship');
    }
  });
  if (cell.basis.size === 0 && candidate.profiles.some((profile) => denied(profile, category, facts.rules))) {
    cell.basis.add('withheld-by-you');
  }
  return cell;
}

const covers = (rule: RuleInForce, category: string): boolean =>
  rule.categories.length === 0 || rule.categories.includes(category);
const naming = (rule: RuleInForce, profile: Profile): boolean => rule.actors.some((a) => profile.names.includes(a));

/** Why the policy shows this profile a row: the reasons docs/ACCESS.md gives, each probed simply. */
function reasons(profile: Profile, row: RecordRow, { rules, grants }: ReasonFacts): Basis[] {
  const found: Basis[] = [];
  if (rules.some((rule) => rule.effect === 'permit' && naming(rule, profile) && covers(rule, row.category))) {
    found.push('permission');
  }
  const actor = profile.actor;
  if (actor.kind !== 'staff') {
    return found;
  }
  if (row.source === actor.organizationId) {
    found.push('own-record');
  } else if (
    profile.related &&
    !OUTSIDE_NHS.includes(actor.organizationType) &&
    grants.some(
      (g) =>
        g.provider === row.source &&
        g.recipient === actor.organizationId &&
        g.category === row.category &&
        (g.roles.length === 0 || g.roles.includes(actor.roleCode)),
    )
  ) {
    found.push('agreement');
  }
  return found;
}

/** A deny in force covering the category that names them (or, for staff, no one: everyone). */
function denied(profile: Profile, category: string, rules: readonly RuleInForce[]): boolean {
  return rules.some(
    (rule) =>
      rule.effect === 'deny' &&
      covers(rule, category) &&
      (naming(rule, profile) || (rule.actors.length === 0 && profile.actor.kind === 'staff')),
  );
}
