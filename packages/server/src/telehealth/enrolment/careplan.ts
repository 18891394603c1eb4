/**
 * Enrolment is a FHIR `CarePlan`: active, `instantiatesCanonical` a protocol version, the patient as
 * subject, the patient's agreement recorded (an extension with when they agreed), and optionally the
 * patient's own thresholds and best peak flow. Created through the API or the web page alike, it is
 * read here into what the service needs, or the reasons it cannot be used.
 */
import type { CarePlan } from '@medplum/fhirtypes';
import { z } from 'zod';
import { levelRuleSchema, type LevelRule, type Protocol } from '../protocols/model.ts';
import { PROTOCOL_CANONICAL_BASE } from '../protocols/plan-definition.ts';

const EXTENSION = 'https://careweave.example/fhir/StructureDefinition';
export const AGREEMENT_EXTENSION = `${EXTENSION}/telehealth-agreement`;
export const THRESHOLDS_EXTENSION = `${EXTENSION}/telehealth-thresholds`;
export const BEST_PEAK_FLOW_EXTENSION = `${EXTENSION}/telehealth-personal-best-peak-flow`;
/** valueBoolean true: the first question goes at once (the nurse checks the phone while the patient is there). */
export const FIRST_PROMPT_NOW_EXTENSION = `${EXTENSION}/telehealth-first-prompt-now`;

export type EnrolmentStatus = 'active' | 'paused' | 'stopped';

export interface EnrolmentRequest {
  carePlanId: string;
  patientId: string;
  protocolId: string;
  protocolVersion: number;
  status: EnrolmentStatus;
  agreedAt: string;
  startedAt: Date;
  thresholds: { overrides?: LevelRule[]; personalBestPeakFlow?: number };
  /** Send the first question now rather than at the first scheduled time. */
  firstPromptNow: boolean;
}

/** Whether a CarePlan is a telehealth enrolment at all (others are not this module's business). */
export function isTelehealthPlan(plan: CarePlan): boolean {
  return (plan.instantiatesCanonical ?? []).some((canonical) => canonical.startsWith(`${PROTOCOL_CANONICAL_BASE}-`));
}

function statusOf(plan: CarePlan): EnrolmentStatus {
  switch (plan.status) {
    case 'active':
      return 'active';
    case 'on-hold':
      return 'paused';
    default:
      return 'stopped';
  }
}

/**
 * The enrolment a CarePlan asks for, or the problems that stop it (each in words for the clinician).
 * `findProtocol` resolves a protocol id and version.
 */
/** The protocol and version a telehealth plan names (`instantiatesCanonical …-{id}|{version}`). */
export function protocolNamed(plan: CarePlan): { id: string; version: number } | undefined {
  const canonical = (plan.instantiatesCanonical ?? []).find((c) => c.startsWith(`${PROTOCOL_CANONICAL_BASE}-`));
  const [url, version] = canonical?.split('|') ?? [];
  return url && version && /^\d+$/.test(version)
    ? { id: url.slice(PROTOCOL_CANONICAL_BASE.length + 1), version: Number(version) }
    : undefined;
}

export function readEnrolment(
  plan: CarePlan,
  findProtocol: (id: string, version: number) => Protocol | undefined,
): { request?: EnrolmentRequest; protocol?: Protocol; problems: string[] } {
  const problems: string[] = [];
  const canonical = (plan.instantiatesCanonical ?? []).find((c) => c.startsWith(`${PROTOCOL_CANONICAL_BASE}-`))!;
  const [url, version] = canonical.split('|');
  const protocolId = url!.slice(PROTOCOL_CANONICAL_BASE.length + 1);
  const protocol = version ? findProtocol(protocolId, Number(version)) : undefined;
  if (!version) {
    problems.push('The plan must name the protocol version it follows (instantiatesCanonical …|version)');
  } else if (!protocol) {
    problems.push(`There is no telehealth protocol '${protocolId}' version ${version}`);
  }
  const patientId = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(plan.subject?.reference ?? '')?.[1];
  if (!patientId) {
    problems.push('The plan’s subject must be the patient (Patient/…)');
  }
  const agreedAt = plan.extension?.find((e) => e.url === AGREEMENT_EXTENSION)?.valueDateTime;
  if (!agreedAt) {
    problems.push('The patient’s agreement to telehealth texts must be recorded (when they agreed)');
  }
  const thresholds = readThresholds(plan, problems);
  if (protocol?.needs.includes('personal-best-peak-flow') && !thresholds.personalBestPeakFlow) {
    problems.push(`The ${protocol.title} protocol needs the patient’s best peak flow (L/min)`);
  }
  if (problems.length || !protocol || !patientId || !agreedAt) {
    return { problems };
  }
  return {
    protocol,
    problems,
    request: {
      carePlanId: plan.id!,
      patientId,
      protocolId,
      protocolVersion: protocol.version,
      status: statusOf(plan),
      agreedAt,
      startedAt: new Date(plan.period?.start ?? plan.meta?.lastUpdated ?? Date.now()),
      thresholds,
      firstPromptNow: plan.extension?.some((e) => e.url === FIRST_PROMPT_NOW_EXTENSION && e.valueBoolean) ?? false,
    },
  };
}

function readThresholds(plan: CarePlan, problems: string[]): EnrolmentRequest['thresholds'] {
  const thresholds: EnrolmentRequest['thresholds'] = {};
  const best = plan.extension?.find((e) => e.url === BEST_PEAK_FLOW_EXTENSION)?.valueQuantity?.value;
  if (best !== undefined) {
    if (best >= 60 && best <= 900) {
      thresholds.personalBestPeakFlow = best;
    } else {
      problems.push(`A best peak flow of ${best} L/min is not plausible (60–900)`);
    }
  }
  const own = plan.extension?.find((e) => e.url === THRESHOLDS_EXTENSION)?.valueString;
  if (own) {
    try {
      thresholds.overrides = z.array(levelRuleSchema).parse(JSON.parse(own));
    } catch {
      problems.push('The patient’s own thresholds are not valid level rules');
    }
  }
  return thresholds;
}
