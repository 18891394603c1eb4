/**
 * The demo's referral history (docs/REFERRALS.md, "Analytics"): 13 months of referrals from every
 * practice, so the commissioner's dashboard has something true-looking to show. Deterministic from the
 * demo seed; idempotent (ids are fixed, and nothing is written when the first practice's history
 * exists). Written as the module's system actor in a few large transactions, straight to their final
 * state — a Task that was on the slot-issues list or missed an appointment gets that version first —
 * because replaying thousands of referrals through the lifecycle would take minutes (< 10 s here).
 *
 * What the demo shows: most practices make 88–99% of referrals electronically, rising through the
 * year; three sit below the 80% target; one (the list's fourth practice) refers about 1.8 times as
 * often as its age/sex mix predicts — a high outlier on the funnel plot.
 */
import type { Appointment, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { ModuleContext } from '../../modules/contract.ts';
import { buildInfrastructureModel } from '../../seed/infrastructure.ts';
import { Rng } from '../../seed/prng.ts';
import {
  concept,
  REFERRAL_REASON_SYSTEM,
  REFERRAL_STATUS_SYSTEM,
  REFERRAL_SYSTEM,
  REFERRER_TAG_SYSTEM,
  SPECIALTY_SYSTEM,
  TASK_CODE,
} from '../lifecycle/vocabulary.ts';
import { registeredPatients, type RegisteredPatient } from './analytics.repository.ts';
import type { Channel } from './vocabulary.ts';

const DAY = 86_400_000;
/** A second tag on everything the history writes, so tests and tools can tell it from real activity. */
const HISTORY_TAG = { system: 'https://careweave.example/fhir/CodeSystem/demo-data', code: 'referral-history' };
const MONTHS = 13;
/** Referrals per registered patient per year before the age and practice factors (England: ~0.25–0.35). */
const BASE_RATE = 0.3;
const AGE_FACTOR = (age: number): number => (age < 18 ? 0.35 : age < 45 ? 0.7 : age < 65 ? 1.15 : age < 75 ? 1.6 : 1.9);
/** Which practices (by position in the demo's list) are below the 80% target, and which refers most. */
const LOW_ELECTRONIC = new Set([2, 7, 11]);
const HIGH_REFERRER = 3;

const SPECIALTIES = [
  { code: 'msk', weight: 30, wait: [14, 60] },
  { code: 'trauma-orthopaedics', weight: 18, wait: [60, 140] },
  { code: 'dermatology', weight: 18, wait: [40, 150] },
  { code: 'cardiology', weight: 14, wait: [20, 90] },
  { code: 'gynaecology', weight: 12, wait: [30, 100] },
  { code: 'breast', weight: 8, wait: [7, 13] },
] as const;
const CUMULATIVE = SPECIALTIES.reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s.weight], []);
const REJECT_REASONS = ['criteria-not-met', 'wrong-service', 'insufficient-information'] as const;
const RETURN_REASONS = ['manage-in-primary-care', 'tests-first'] as const;

interface Draw {
  patient: RegisteredPatient;
  n: number;
  authored: Date;
  specialty: (typeof SPECIALTIES)[number];
  channel: Channel;
  priority: 'routine' | 'urgent' | 'asap';
}

const iso = (time: number): string => new Date(time).toISOString();
const status = (code: string) => concept(REFERRAL_STATUS_SYSTEM, code);

/** Each practice's share of electronic referrals in month `m` (0 = 13 months ago), rising a little. */
function electronicShare(practiceIndex: number, m: number, rng: Rng): number {
  const base = LOW_ELECTRONIC.has(practiceIndex) ? 0.55 + 0.05 * (practiceIndex % 3) : 0.86 + rng.next() * 0.08;
  return Math.min(0.995, base + (m / MONTHS) * 0.06);
}

function draws(patients: readonly RegisteredPatient[], seed: number, now: number): Draw[] {
  const practices = [...new Set(patients.map((p) => p.practice))].sort();
  const factor = new Map(
    practices.map((id, i) => [id, i === HIGH_REFERRER ? 1.8 : 0.85 + new Rng(seed, 7_000 + i).next() * 0.3]),
  );
  const shares = new Map(
    practices.map((id, i) => {
      const rng = new Rng(seed, 8_000 + i);
      return [id, Array.from({ length: MONTHS }, (_, m) => electronicShare(i, m, rng))] as const;
    }),
  );
  const start = now - MONTHS * 30 * DAY;
  const out: Draw[] = [];
  patients.forEach((patient, index) => {
    const rng = new Rng(seed, 90_000 + index);
    const count = rng.poisson(BASE_RATE * AGE_FACTOR(patient.age) * factor.get(patient.practice)! * (MONTHS / 12));
    for (let n = 0; n < count; n++) {
      // Up to a week ago: everything has been sent and most of it seen.
      const time = start + rng.next() * (MONTHS * 30 - 7) * DAY;
      let specialty = SPECIALTIES[rng.weighted(CUMULATIVE)]!;
      if (patient.sex !== 'female' && (specialty.code === 'gynaecology' || specialty.code === 'breast')) {
        specialty = SPECIALTIES[0];
      }
      const month = Math.min(MONTHS - 1, Math.floor((time - start) / (30 * DAY)));
      const electronic = rng.chance(shares.get(patient.practice)![month]!);
      const channel: Channel = electronic
        ? 'electronic-referral'
        : rng.chance(0.85)
          ? 'paper-referral'
          : 'other-referral';
      const priority =
        specialty.code === 'breast' || rng.chance(0.06) ? 'asap' : rng.chance(0.15) ? 'urgent' : 'routine';
      out.push({ patient, n, authored: new Date(Math.floor(time / 60_000) * 60_000), specialty, channel, priority });
    }
  });
  return out;
}

interface Written {
  /** Earlier versions, written first (a slot issue, a missed appointment). */
  before: Resource[];
  after: Resource[];
}

function referral(
  draw: Draw,
  rng: Rng,
  ctx: { now: number; fhirBase: string; acute: string; acuteName: string },
): Written {
  const id = `rh-${draw.patient.id}-${draw.n}`.slice(0, 64);
  const sent = draw.authored.getTime();
  const practice = draw.patient.practice;
  const tag = [{ system: REFERRER_TAG_SYSTEM, code: practice }, HISTORY_TAG];
  const outcome = rng.next();
  const rejected = outcome < 0.06;
  const returned = !rejected && outcome < 0.11;
  const slotIssue = !rejected && !returned && rng.chance(0.08);
  const [low, high] = draw.priority === 'asap' ? [5, 14] : draw.priority === 'urgent' ? [7, 28] : draw.specialty.wait;
  const start = sent + Math.round(rng.range(low, high) + (slotIssue ? 21 : 0)) * DAY;
  const seen = start < ctx.now;
  const dna = seen && rng.chance(0.07);
  const finished = seen && start < ctx.now - 21 * DAY;
  const sr: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id,
    meta: { source: `${ctx.fhirBase}/Organization/${practice}`, tag },
    status: rejected || returned ? 'revoked' : finished ? 'completed' : 'active',
    intent: 'order',
    category: [concept(REFERRAL_SYSTEM, draw.channel)],
    code: concept(SPECIALTY_SYSTEM, draw.specialty.code),
    priority: draw.priority,
    subject: { reference: `Patient/${draw.patient.id}` },
    authoredOn: iso(sent),
    performer: [{ reference: `Organization/${ctx.acute}`, display: ctx.acuteName }],
  };
  const appointmentId = `${id}-a`;
  const businessStatus = rejected
    ? 'rejected'
    : returned
      ? 'returned-with-advice'
      : !seen
        ? 'booked'
        : finished
          ? 'discharged'
          : dna
            ? 'did-not-attend'
            : 'attended';
  const task: Task = {
    resourceType: 'Task',
    id: `${id}-t`,
    meta: { source: `${ctx.fhirBase}/Organization/${ctx.acute}`, tag },
    status: rejected || returned ? 'rejected' : finished ? 'completed' : 'in-progress',
    businessStatus: status(businessStatus),
    intent: 'order',
    code: TASK_CODE,
    priority: draw.priority,
    focus: { reference: `ServiceRequest/${id}` },
    for: { reference: `Patient/${draw.patient.id}` },
    owner: { reference: `Organization/${ctx.acute}`, display: ctx.acuteName },
    requester: { reference: `Organization/${practice}` },
    authoredOn: iso(sent),
    ...(rejected || returned
      ? {
          statusReason: concept(REFERRAL_REASON_SYSTEM, rejected ? rng.pick(REJECT_REASONS) : rng.pick(RETURN_REASONS)),
        }
      : { output: [{ type: { text: 'Appointment' }, valueReference: { reference: `Appointment/${appointmentId}` } }] }),
  };
  const before: Resource[] = [];
  if (slotIssue) {
    before.push({ ...task, status: 'in-progress', businessStatus: status('slot-issue') });
  }
  if (dna && finished) {
    before.push({ ...task, status: 'in-progress', businessStatus: status('did-not-attend') });
  }
  if (rejected || returned) {
    return { before, after: [sr, task] };
  }
  const appointment: Appointment = {
    resourceType: 'Appointment',
    id: appointmentId,
    meta: { source: `${ctx.fhirBase}/Organization/${ctx.acute}`, tag: [HISTORY_TAG] },
    status: !seen ? 'booked' : dna ? 'noshow' : 'fulfilled',
    basedOn: [{ reference: `ServiceRequest/${id}` }],
    start: iso(start),
    end: iso(start + 20 * 60_000),
    participant: [{ actor: { reference: `Patient/${draw.patient.id}` }, status: 'accepted' }],
  };
  return { before, after: [sr, appointment, task] };
}

/** Writes the history; returns what it made ('' when it was there already or there are no patients). */
export async function seedReferralActivity(
  context: Pick<ModuleContext, 'db' | 'system' | 'core'>,
  seed = 1,
  now = Date.now(),
): Promise<string> {
  const patients = await registeredPatients(context.db);
  const first = patients[0];
  if (!first) {
    return '';
  }
  const model = buildInfrastructureModel(seed);
  const acute = model.orgIds.get('acute') ?? 'org-rvy';
  const acuteName = 'Southport and Ormskirk Hospital NHS Trust';
  const all = draws(patients, seed, now);
  if (!all.length) {
    return '';
  }
  const marker = `rh-${all[0]!.patient.id}-0`.slice(0, 64);
  if (
    await context.system.read('ServiceRequest', marker).then(
      () => true,
      () => false,
    )
  ) {
    return '';
  }
  const started = performance.now();
  const written = all.map((draw, i) =>
    referral(draw, new Rng(seed, 200_000 + i), { now, fhirBase: context.core.fhirBase, acute, acuteName }),
  );
  const write = async (resources: Resource[]): Promise<void> => {
    for (let i = 0; i < resources.length; i += 1_000) {
      const items = resources.slice(i, i + 1_000).map((resource) => ({ resource, method: 'update' as const }));
      await context.system.transaction((tx) => tx.writeMany(items));
    }
  };
  await write(written.flatMap((w) => w.before.slice(0, 1)));
  await write(written.flatMap((w) => w.before.slice(1)));
  await write(written.flatMap((w) => w.after));
  const paper = all.filter((d) => d.channel !== 'electronic-referral').length;
  return `referral history (${all.length} referrals over ${MONTHS} months, ${paper} not electronic, ${Math.round(performance.now() - started)} ms)`;
}
