/**
 * A protocol published as a FHIR `PlanDefinition` (clinical-protocol): one action per prompt, timed
 * by the schedule, with its level rules as FHIRPath applicability conditions over the Observation the
 * reply becomes, and the guideline as a citation. The protocol itself travels in an extension, so the
 * published resource round-trips to exactly the data the service runs.
 */
import type { PlanDefinition, PlanDefinitionAction, Timing } from '@medplum/fhirtypes';
import { MEASURES } from '../replies/vocabulary.ts';
import { checkProtocol, type LevelRule, type Protocol, type RuleMeasure } from './model.ts';

export const PROTOCOL_CANONICAL_BASE = 'https://careweave.example/fhir/PlanDefinition/telehealth';
export const PROTOCOL_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/telehealth-protocol';

export function protocolCanonical(protocol: Pick<Protocol, 'id'>): string {
  return `${PROTOCOL_CANONICAL_BASE}-${protocol.id}`;
}

export function planDefinitionId(protocol: Pick<Protocol, 'id' | 'version'>): string {
  return `telehealth-${protocol.id}-v${protocol.version}`;
}

/** Each measure's value in the Observation a reading becomes: empty for any other kind of reading. */
const coded = (code: string): string => `where(code.coding.code = '${code}').valueQuantity.value`;
const PATHS: Record<Exclude<RuleMeasure, 'answer'>, string> = {
  systolic: `component.where(code.coding.code = '${MEASURES.systolic.coding.code}').valueQuantity.value`,
  diastolic: `component.where(code.coding.code = '${MEASURES.diastolic.coding.code}').valueQuantity.value`,
  pulse: coded(MEASURES.pulse.coding.code),
  spo2: coded(MEASURES.spo2.coding.code),
  temperature: coded(MEASURES.temperature.coding.code),
  weight: coded(MEASURES.weight.coding.code),
  glucose: coded(MEASURES.glucose.coding.code),
  peakflow: coded(MEASURES.peakflow.coding.code),
  'peakflow-percent-best': `${coded(MEASURES.peakflow.coding.code)} / %personalBestPeakFlow * 100`,
  score: 'valueInteger',
};

/** The FHIRPath condition of a level rule, over the reading's Observation. */
export function ruleExpression(rule: LevelRule): string {
  if (rule.measure === 'answer') {
    // Yes is 1, no is 0; only `equals` makes sense for an answer.
    return `valueBoolean = ${rule.equals === 1 || (rule.atLeast !== undefined && rule.atLeast > 0) ? 'true' : 'false'}`;
  }
  const path = PATHS[rule.measure];
  if (rule.below !== undefined) {
    return `${path} < ${rule.below}`;
  }
  if (rule.atLeast !== undefined) {
    return `${path} >= ${rule.atLeast}`;
  }
  return `${path} = ${rule.equals}`;
}

const DAYS = { mon: 'mon', tue: 'tue', wed: 'wed', thu: 'thu', fri: 'fri', sat: 'sat', sun: 'sun' } as const;

function timing(protocol: Protocol): Timing {
  const { schedule } = protocol;
  return {
    repeat: {
      timeOfDay: schedule.times.map((t) => `${t}:00`),
      ...(schedule.days === 'daily' ? {} : { dayOfWeek: schedule.days.map((d) => DAYS[d]) }),
      ...(schedule.durationDays
        ? {
            boundsDuration: { value: schedule.durationDays, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' },
          }
        : {}),
    },
  };
}

function promptAction(protocol: Protocol, index: number): PlanDefinitionAction {
  const prompt = protocol.prompts[index]!;
  const measures = new Set<RuleMeasure>(
    prompt.expecting.flatMap((e): RuleMeasure[] =>
      e === 'bp'
        ? ['systolic', 'diastolic']
        : e === 'yesno'
          ? ['answer']
          : e === 'peakflow'
            ? ['peakflow', 'peakflow-percent-best']
            : [e as RuleMeasure],
    ),
  );
  const rules = protocol.levels.filter((rule) => measures.has(rule.measure));
  return {
    id: prompt.id,
    title: `Ask: ${prompt.expecting.join(', ')}`,
    description: prompt.text,
    ...(index === 0
      ? { timingTiming: timing(protocol) }
      : { relatedAction: [{ actionId: protocol.prompts[index - 1]!.id, relationship: 'after-end' }] }),
    ...(prompt.questionCode ? { code: [{ coding: [prompt.questionCode] }] } : {}),
    action: rules.map((rule) => ({
      title: `${rule.level}: ${rule.reason}`,
      priority: rule.level === 'red' ? 'stat' : 'urgent',
      condition: [
        {
          kind: 'applicability',
          expression: { language: 'text/fhirpath', expression: ruleExpression(rule), description: rule.reason },
        },
      ],
    })),
  };
}

/** The publisher of the shipped library's PlanDefinitions (an author's name their organisation). */
export const LIBRARY_PUBLISHER = 'CareWeave';

/** A published protocol: the library's by default, else an author's (who, for which organisation, when). */
export interface Publication {
  publisher: string;
  author: string;
  date: string;
}

export function toPlanDefinition(protocol: Protocol, publication?: Publication): PlanDefinition {
  return {
    resourceType: 'PlanDefinition',
    id: planDefinitionId(protocol),
    url: protocolCanonical(protocol),
    version: String(protocol.version),
    name: protocol.id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase()),
    title: protocol.title,
    type: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/plan-definition-type', code: 'clinical-protocol' }],
    },
    status: 'active',
    publisher: publication?.publisher ?? LIBRARY_PUBLISHER,
    ...(publication ? { author: [{ name: publication.author }], date: publication.date } : {}),
    description: protocol.purpose,
    ...(protocol.condition ? { topic: [{ coding: [protocol.condition], text: protocol.condition.display }] } : {}),
    relatedArtifact: [{ type: 'citation', display: protocol.guideline.citation, url: protocol.guideline.url }],
    extension: [{ url: PROTOCOL_EXTENSION, valueString: JSON.stringify(protocol) }],
    action: protocol.prompts.map((_prompt, index) => promptAction(protocol, index)),
  };
}

/** The protocol a published PlanDefinition carries (checked again: a stored one may be stale or edited). */
export function fromPlanDefinition(plan: PlanDefinition): Protocol {
  const json = plan.extension?.find((e) => e.url === PROTOCOL_EXTENSION)?.valueString;
  if (!json) {
    throw new Error(`PlanDefinition/${plan.id ?? '?'} is not a CareWeave telehealth protocol`);
  }
  return checkProtocol(JSON.parse(json));
}
