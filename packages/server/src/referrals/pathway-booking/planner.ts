/**
 * Choosing a slot for every step of a pathway (pure): each step inside its window — from `earliest`
 * for the first, its range of days after the step it follows for the others — and after that step
 * ends. Steps already decided (`fixed`: an appointment kept, or the one the patient moved) must fit
 * their window too. With `targets` (a move: where each later step would be if the gaps were kept) a
 * step takes the slot nearest its target, otherwise the soonest. If the soonest choice leaves a later
 * step nothing, the planner tries the next (a small bounded search), and reports the step that could
 * not be placed when nothing fits, so the refusal can say which appointment and between which dates.
 */
import type { PathwayStep } from './template.ts';

export interface Candidate {
  id: string;
  start: string;
  end: string;
}

export interface PlanInput {
  steps: readonly PathwayStep[];
  /** Free slots of each step's service, by step id. */
  candidates: ReadonlyMap<string, readonly Candidate[]>;
  fixed?: ReadonlyMap<string, Candidate>;
  earliest: Date;
  /** Preferred start (ms) per step: keep the gaps of a moved pathway. */
  targets?: ReadonlyMap<string, number>;
}

export interface Unplaced {
  step: PathwayStep;
  /** The window it had to fit (ISO), when known. */
  from: string;
  to?: string;
}

export type PlanResult = { chosen: Map<string, Candidate> } | { unplaced: Unplaced };

const DAY = 86_400_000;
/** Bounds the search: a pathway has a handful of steps, each with tens of candidate slots. */
const MAX_TRIES = 20_000;

interface Window {
  from: number;
  to: number;
  notBefore: number;
}

/** The window a step must start in, given the slots chosen for the steps before it. */
export function windowOf(step: PathwayStep, chosen: ReadonlyMap<string, Candidate>, earliest: Date): Window {
  const after = step.after;
  const before = after ? chosen.get(after.stepId) : undefined;
  if (!after || !before) {
    return { from: earliest.getTime(), to: Number.POSITIVE_INFINITY, notBefore: earliest.getTime() };
  }
  const start = Date.parse(before.start);
  return {
    from: start + after.minDays * DAY,
    // Inclusive of the last day: a slot any time on day `maxDays` fits.
    to: start + (after.maxDays + 1) * DAY,
    notBefore: Date.parse(before.end),
  };
}

function fits(slot: Candidate, window: Window): boolean {
  const start = Date.parse(slot.start);
  return start >= window.from && start < window.to && start >= window.notBefore;
}

/** A slot for every step, or the first step that cannot be placed. */
export function planPathway(input: PlanInput): PlanResult {
  const chosen = new Map<string, Candidate>();
  let deepest: { index: number; unplaced: Unplaced } | undefined;
  let tries = 0;

  const place = (index: number): boolean => {
    const step = input.steps[index];
    if (!step) {
      return true;
    }
    const window = windowOf(step, chosen, input.earliest);
    for (const option of optionsFor(step, window, input, chosen)) {
      if (++tries > MAX_TRIES) {
        break;
      }
      chosen.set(step.id, option);
      if (place(index + 1)) {
        return true;
      }
      chosen.delete(step.id);
    }
    if (!deepest || index >= deepest.index) {
      deepest = { index, unplaced: unplacedOf(step, window) };
    }
    return false;
  };

  return place(0) ? { chosen } : { unplaced: deepest!.unplaced };
}

function optionsFor(
  step: PathwayStep,
  window: Window,
  input: PlanInput,
  chosen: ReadonlyMap<string, Candidate>,
): Candidate[] {
  const fixed = input.fixed?.get(step.id);
  if (fixed) {
    return fits(fixed, window) ? [fixed] : [];
  }
  const taken = new Set([...chosen.values()].map((c) => c.id));
  const options = (input.candidates.get(step.id) ?? []).filter((c) => !taken.has(c.id) && fits(c, window));
  const target = input.targets?.get(step.id);
  if (target === undefined) {
    return [...options].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  }
  const distance = (c: Candidate) => Math.abs(Date.parse(c.start) - target);
  return [...options].sort((a, b) => distance(a) - distance(b) || Date.parse(a.start) - Date.parse(b.start));
}

function unplacedOf(step: PathwayStep, window: Window): Unplaced {
  return {
    step,
    from: new Date(Math.max(window.from, window.notBefore)).toISOString(),
    ...(Number.isFinite(window.to) ? { to: new Date(window.to).toISOString() } : {}),
  };
}
