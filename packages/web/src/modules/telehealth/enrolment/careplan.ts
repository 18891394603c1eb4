import type { CarePlan, Patient } from '@medplum/fhirtypes';
import type { LevelRule, Protocol } from '../protocols/api.ts';

/**
 * The CarePlan an enrolment is, as the server's `telehealth/enrolment/careplan.ts` reads it: active,
 * `instantiatesCanonical` the protocol version, the patient as subject, the nurse as author (the one
 * alerted), and extensions for the patient's agreement, own thresholds and best peak flow. The web page
 * writes exactly what an API client would.
 */
const EXTENSION = 'https://careweave.example/fhir/StructureDefinition';
export const AGREEMENT_EXTENSION = `${EXTENSION}/telehealth-agreement`;
export const THRESHOLDS_EXTENSION = `${EXTENSION}/telehealth-thresholds`;
export const BEST_PEAK_FLOW_EXTENSION = `${EXTENSION}/telehealth-personal-best-peak-flow`;
export const FIRST_PROMPT_NOW_EXTENSION = `${EXTENSION}/telehealth-first-prompt-now`;
export const PROTOCOL_CANONICAL_BASE = 'https://careweave.example/fhir/PlanDefinition/telehealth';

export interface Enrolling {
  patientId: string;
  practitionerId?: string;
  protocol: Pick<Protocol, 'id' | 'version' | 'title'>;
  /** When the patient agreed (now, as the nurse ticks the box). */
  agreedAt: string;
  /** yyyy-mm-dd, the first day texts may be sent. */
  start: string;
  overrides: LevelRule[];
  bestPeakFlow?: number;
  /** Ask the first question at once (the nurse checks the phone while the patient is there). */
  firstPromptNow?: boolean;
}

/** The new CarePlan for an enrolment. */
export function enrolmentPlan(enrolling: Enrolling): CarePlan {
  const { protocol } = enrolling;
  return {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    title: protocol.title,
    instantiatesCanonical: [`${PROTOCOL_CANONICAL_BASE}-${protocol.id}|${protocol.version}`],
    subject: { reference: `Patient/${enrolling.patientId}` },
    ...(enrolling.practitionerId ? { author: { reference: `Practitioner/${enrolling.practitionerId}` } } : {}),
    period: { start: enrolling.start },
    created: enrolling.agreedAt,
    extension: [
      { url: AGREEMENT_EXTENSION, valueDateTime: enrolling.agreedAt },
      ...(enrolling.firstPromptNow ? [{ url: FIRST_PROMPT_NOW_EXTENSION, valueBoolean: true }] : []),
      ...thresholdExtensions(enrolling.overrides),
      ...(enrolling.bestPeakFlow !== undefined
        ? [
            {
              url: BEST_PEAK_FLOW_EXTENSION,
              valueQuantity: {
                value: enrolling.bestPeakFlow,
                unit: 'L/min',
                system: 'http://unitsofmeasure.org',
                code: 'L/min',
              },
            },
          ]
        : []),
    ],
  };
}

function thresholdExtensions(overrides: readonly LevelRule[]) {
  return overrides.length ? [{ url: THRESHOLDS_EXTENSION, valueString: JSON.stringify(overrides) }] : [];
}

/** The plan with its own thresholds replaced (none: the protocol's apply again). */
export function withThresholds(plan: CarePlan, overrides: readonly LevelRule[]): CarePlan {
  return {
    ...plan,
    extension: [
      ...(plan.extension ?? []).filter((e) => e.url !== THRESHOLDS_EXTENSION),
      ...thresholdExtensions(overrides),
    ],
  };
}

/** The patient's own thresholds recorded on the plan (an unreadable value counts as none). */
export function planThresholds(plan: CarePlan): LevelRule[] {
  const text = plan.extension?.find((e) => e.url === THRESHOLDS_EXTENSION)?.valueString;
  try {
    const rules = text ? (JSON.parse(text) as unknown) : [];
    return Array.isArray(rules) ? (rules as LevelRule[]) : [];
  } catch {
    return [];
  }
}

/** The protocol a plan follows: `{ id, version }` from its canonical, if it is a telehealth plan. */
export function planProtocol(plan: CarePlan): { id: string; version: number } | undefined {
  const canonical = plan.instantiatesCanonical?.find((c) => c.startsWith(`${PROTOCOL_CANONICAL_BASE}-`));
  const match = /^.*\/telehealth-([a-z0-9-]+)\|(\d+)$/.exec(canonical ?? '');
  return match ? { id: match[1]!, version: Number(match[2]) } : undefined;
}

/**
 * The mobile number the server will text, as its `mobileOf` chooses it: an `sms` number or a phone
 * marked mobile first, then any phone, the first that is a UK mobile (07…, +447…).
 */
export function mobileOf(patient: Patient): string | undefined {
  const phones = (patient.telecom ?? []).filter((t) => (t.system === 'sms' || t.system === 'phone') && t.value);
  const ordered = [...phones.filter((t) => t.system === 'sms' || t.use === 'mobile'), ...phones];
  for (const telecom of ordered) {
    const digits = telecom.value!.replace(/[\s()-]/g, '');
    if (/^(\+447|00447|07)\d{9}$/.test(digits)) {
      return telecom.value!;
    }
  }
  return undefined;
}
