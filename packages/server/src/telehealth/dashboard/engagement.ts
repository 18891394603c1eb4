/**
 * Engagement with a telehealth protocol over a window (by default the last 30 days): the prompts
 * the timetable sent, the rounds the patient answered, the response rate, the last reply, and the
 * drop-off flag (docs/CLINICAL-SAFETY.md H-115).
 *
 * Prompts are counted from the protocol's timetable (prompts/timetable.ts) from the later of the
 * window's start and the enrolment's, because the record keeps the patient's texts and the service's
 * answers as Communications but not the scheduled prompts themselves. A reply is a text from the
 * patient (an inbound Communication) or — for an enrolment whose messages are not in the record
 * (imported, or the demo data) — a reading; replies are counted once per prompt round they answer,
 * so a two-question round answered with two texts is one answered prompt.
 */
import type { Protocol } from '../protocols/model.ts';
import { nextPromptAt } from '../prompts/timetable.ts';

const DAY = 86_400_000;
/** No reply for this long while active is a drop-off (H-115). */
export const DROP_OFF_DAYS = 7;
/** The window engagement is measured over. */
export const ENGAGEMENT_DAYS = 30;

export interface Engagement {
  windowDays: number;
  promptsSent: number;
  repliesReceived: number;
  /** Answered rounds ÷ prompts sent, 0–1; null when no prompt was due in the window. */
  responseRate: number | null;
  lastReplyAt: string | null;
  /** Active, enrolled for at least DROP_OFF_DAYS, and no reply for DROP_OFF_DAYS. */
  droppedOff: boolean;
}

export interface EngagementInput {
  schedule: Protocol['schedule'];
  startedAt: Date;
  endsAt?: Date | null;
  active: boolean;
  replies: readonly Date[];
  now: Date;
  windowDays?: number;
}

/** The prompt times of a schedule in [from, to), oldest first (capped, for a schedule gone wrong). */
export function promptTimes(
  schedule: Protocol['schedule'],
  from: Date,
  to: Date,
  enrolled: { startedAt: Date; endsAt?: Date },
): Date[] {
  const times: Date[] = [];
  let cursor = new Date(from.getTime() - 1);
  while (times.length < 1000) {
    const next = nextPromptAt(schedule, cursor, enrolled);
    if (!next || next >= to) {
      break;
    }
    times.push(next);
    cursor = next;
  }
  return times;
}

/** The engagement of one enrolment, from its timetable and the times of the patient's replies. */
export function engagementOf(input: EngagementInput): Engagement {
  const windowDays = input.windowDays ?? ENGAGEMENT_DAYS;
  const windowStart = new Date(input.now.getTime() - windowDays * DAY);
  const enrolled = { startedAt: input.startedAt, ...(input.endsAt ? { endsAt: input.endsAt } : {}) };
  const prompts = promptTimes(input.schedule, windowStart, input.now, enrolled);
  const replies = input.replies.filter((at) => at >= windowStart && at <= input.now);
  const answered = new Set<number>();
  for (const reply of replies) {
    // The round a reply answers: the latest prompt sent before it.
    const round = prompts.filter((prompt) => prompt <= reply).at(-1);
    if (round) {
      answered.add(round.getTime());
    }
  }
  const last = [...input.replies].sort((a, b) => b.getTime() - a.getTime())[0];
  const silentSince = last && last > input.startedAt ? last : input.startedAt;
  const droppedOff =
    input.active &&
    input.now.getTime() - input.startedAt.getTime() >= DROP_OFF_DAYS * DAY &&
    input.now.getTime() - silentSince.getTime() >= DROP_OFF_DAYS * DAY;
  return {
    windowDays,
    promptsSent: prompts.length,
    repliesReceived: answered.size,
    responseRate: prompts.length ? Math.min(1, answered.size / prompts.length) : null,
    lastReplyAt: last?.toISOString() ?? null,
    droppedOff,
  };
}
