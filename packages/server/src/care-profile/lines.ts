/**
 * One plain-English line per record entry, as the profile shows and prints it. Pure. A line is
 * also stored as the entry reference's `display`, so that a reader's copy can be rebuilt from the
 * entries they may see (profile.ts, `forReader`) without reading the record again.
 */
import type {
  AllergyIntolerance,
  CarePlan,
  CareTeam,
  CodeableConcept,
  Condition,
  Flag,
  Goal,
  MedicationRequest,
  RelatedPerson,
} from '@medplum/fhirtypes';
import { CPR_RECOMMENDATIONS, RESPECT_SYSTEM, type CprRecommendation } from './codes.ts';

export const conceptText = (concept: CodeableConcept | undefined): string =>
  concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? 'Not named';

export const ukDate = (iso: string | undefined): string | undefined =>
  iso
    ? new Date(iso).toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        timeZone: 'Europe/London',
      })
    : undefined;

const join = (...parts: (string | undefined | false)[]): string => parts.filter(Boolean).join('; ');

export function relatedPersonLine(person: RelatedPerson): string {
  const name = person.name?.[0];
  const who = name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || 'Unnamed contact');
  const relationship = person.relationship?.map(conceptText).join(', ');
  const phone = person.telecom?.find((t) => t.system === 'phone')?.value;
  return join(`${who}${relationship ? ` (${relationship})` : ''}`, phone && `tel. ${phone}`);
}

export function careTeamLine(team: CareTeam): string {
  const members = (team.participant ?? []).map((p) => {
    const role = p.role?.map(conceptText).join(', ');
    const who = p.member?.display ?? p.member?.reference ?? 'someone';
    const org = p.onBehalfOf?.display;
    return `${role ? `${role}: ` : ''}${who}${org ? ` (${org})` : ''}`;
  });
  return `${team.name ?? 'Care team'}: ${members.join('; ') || 'no members listed'}`;
}

export function conditionLine(condition: Condition): string {
  const since = condition.onsetDateTime ?? condition.recordedDate;
  return join(conceptText(condition.code), since && `since ${ukDate(since)}`);
}

export function medicineLine(order: MedicationRequest): string {
  const name = order.medicationCodeableConcept
    ? conceptText(order.medicationCodeableConcept)
    : (order.medicationReference?.display ?? 'Medicine');
  return join(name, order.dosageInstruction?.[0]?.text);
}

export function allergyLine(allergy: AllergyIntolerance): string {
  const reactions = allergy.reaction?.flatMap((r) => r.manifestation.map(conceptText)).join(', ');
  return join(
    conceptText(allergy.code),
    reactions && `reaction: ${reactions}`,
    allergy.criticality === 'high' && 'HIGH CRITICALITY',
  );
}

export function carePlanLine(plan: CarePlan): string {
  const title = plan.title ?? plan.description ?? plan.category?.map(conceptText).join(', ') ?? 'Care plan';
  return join(title, plan.period?.end && `review by ${ukDate(plan.period.end)}`);
}

export function goalLine(goal: Goal): string {
  const text = conceptText(goal.description);
  return goal.startDate ? `${text} (recorded ${ukDate(goal.startDate)})` : text;
}

export function flagLine(flag: Flag): string {
  return conceptText(flag.code);
}

/** The ReSPECT form's CPR recommendation of a Flag, if it is one. */
export function cprOf(flag: Flag): CprRecommendation | undefined {
  const code = flag.code.coding?.find((c) => c.system === RESPECT_SYSTEM)?.code;
  return code && code in CPR_RECOMMENDATIONS ? (code as CprRecommendation) : undefined;
}

/** "ReSPECT form (12 Mar 2026): CPR not to be attempted (DNACPR); <recommendations>". */
export function respectLine(flag: Flag): string {
  const cpr = cprOf(flag);
  return join(
    `ReSPECT form${flag.period?.start ? ` (${ukDate(flag.period.start)})` : ''}: ${cpr ? CPR_RECOMMENDATIONS[cpr] : 'CPR recommendation not coded'}`,
    flag.code.text,
  );
}
