import { createHash } from 'node:crypto';
import type { AuditEvent, Extension } from '@medplum/fhirtypes';
import { AUDIT_GENESIS_HASH } from '../db/migrations/002-access.ts';
import { AUDIT_CHAIN_EXTENSION, AUDIT_INTERACTION_SYSTEM } from './audit-event.ts';
import type { ChainHead, VerifyResult } from './audit-verify.ts';

interface ChainFields {
  seq: number;
  chain: number;
  prevHash: string;
  hash: string;
  canonical: string;
  checkpoint: Record<string, [number, string]> | null;
}

/** The chain extension of an exported AuditEvent (audit-event.ts), or a reason it is unusable. */
function chainFields(event: AuditEvent): ChainFields | string {
  const parts = event.extension?.find((e) => e.url === AUDIT_CHAIN_EXTENSION)?.extension ?? [];
  const part = (url: string): Extension | undefined => parts.find((e) => e.url === url);
  const canonical = part('canonical')?.valueBase64Binary;
  const prevHash = part('prevHash')?.valueString;
  const hash = part('hash')?.valueString;
  if (canonical === undefined || prevHash === undefined || hash === undefined) {
    return 'it has no chain extension with canonical, prevHash and hash';
  }
  const checkpoint = part('checkpoint')?.valueString;
  return {
    seq: Number(part('seq')?.valueString),
    chain: part('chain')?.valueInteger ?? 0,
    prevHash,
    hash,
    canonical: Buffer.from(canonical, 'base64').toString('utf8'),
    checkpoint: checkpoint ? (JSON.parse(checkpoint) as Record<string, [number, string]>) : null,
  };
}

/** Why the event does not match the text its hash covers, if it does not. */
function contentMismatch(event: AuditEvent, fields: ChainFields): string | undefined {
  const row = JSON.parse(fields.canonical) as unknown[];
  const patients = (event.entity ?? [])
    .filter((e) => e.role?.code === '1' && e.what?.reference?.startsWith('Patient/'))
    .map((e) => e.what!.reference!.slice('Patient/'.length));
  const interaction = event.subtype?.find((c) => c.system === AUDIT_INTERACTION_SYSTEM)?.code;
  if (row[0] !== fields.seq || event.id !== String(fields.seq)) {
    return 'its seq differs from the hashed row';
  }
  if (JSON.stringify(row[3]) !== JSON.stringify(patients) || row[5] !== interaction) {
    return 'its patients or interaction differ from the hashed row';
  }
  const decision = String(row[7]);
  if (
    event.outcome !== (decision.startsWith('deny') ? '4' : '0') ||
    event.recorded.slice(0, 19) !== String(row[1]).slice(0, 19)
  ) {
    return 'its outcome or time differs from the hashed row';
  }
  const actor = row[2] as Record<string, unknown>;
  const who = event.agent[0]?.who;
  const named = [actor.practitioner, actor.patient, actor.relatedPerson, actor.clientId];
  if (!named.includes(who?.reference ?? who?.identifier?.value) || event.agent[0]?.altId !== actor.userId) {
    return 'its agent differs from the hashed row';
  }
  const chained = row.length > 10 ? row[10] : 0;
  return chained === fields.chain ? undefined : 'its chain differs from the hashed row';
}

/**
 * Verifies exported AuditEvents (NDJSON lines, oldest first) without the database, in two passes
 * over `lines()`: every event's hash is sha256(prevHash || canonical) and its fields match that
 * text. `complete` (an unfiltered export): also every chain links from the genesis hash, and every
 * checkpoint's heads are in the export with those hashes. A filtered export can only be checked
 * event by event.
 */
export async function verifyExportedEvents(
  lines: () => AsyncIterable<string>,
  options: { complete: boolean },
): Promise<VerifyResult> {
  const named = new Map<number, { hash: string; chain: number; at: number }>();
  if (options.complete) {
    for await (const event of events(lines())) {
      const fields = chainFields(event);
      for (const [chain, [seq, hash]] of Object.entries(typeof fields === 'string' ? {} : (fields.checkpoint ?? {}))) {
        named.set(seq, { hash, chain: Number(chain), at: typeof fields === 'string' ? 0 : fields.seq });
      }
    }
  }
  const heads = new Map<number, ChainHead>();
  let checked = 0;
  for await (const event of events(lines())) {
    const fields = chainFields(event);
    if (typeof fields === 'string') {
      return { ok: false, checked, firstBrokenSeq: Number(event.id), reason: `AuditEvent ${event.id}: ${fields}` };
    }
    const broken = (reason: string): VerifyResult => ({
      ok: false,
      checked,
      firstBrokenSeq: fields.seq,
      chain: fields.chain,
      reason,
    });
    const recomputed = createHash('sha256')
      .update(fields.prevHash + fields.canonical, 'utf8')
      .digest('hex');
    if (recomputed !== fields.hash) {
      return broken('the row does not match its hash');
    }
    const mismatch = contentMismatch(event, fields);
    if (mismatch) {
      return broken(`the AuditEvent does not match its row: ${mismatch}`);
    }
    if (options.complete && fields.prevHash !== (heads.get(fields.chain)?.hash ?? AUDIT_GENESIS_HASH)) {
      return broken('prev_hash does not match the preceding row of its chain');
    }
    const expected = named.get(fields.seq);
    if (expected && (expected.hash !== fields.hash || expected.chain !== fields.chain)) {
      return broken(`row ${fields.seq} has changed since the checkpoint in row ${expected.at}`);
    }
    named.delete(fields.seq);
    heads.set(fields.chain, { seq: fields.seq, hash: fields.hash });
    checked++;
  }
  const [missing] = [...named.entries()].sort(([a], [b]) => a - b);
  if (missing) {
    const [seq, { chain, at }] = missing;
    return {
      ok: false,
      checked,
      firstBrokenSeq: seq,
      chain,
      reason: `row ${seq} is missing: the checkpoint in row ${at} recorded it as the head of chain ${chain}`,
    };
  }
  const sorted = [...heads.entries()].sort(([a], [b]) => a - b);
  return { ok: true, checked, heads: Object.fromEntries(sorted.map(([chain, head]) => [String(chain), head])) };
}

async function* events(lines: AsyncIterable<string>): AsyncGenerator<AuditEvent> {
  for await (const line of lines) {
    if (line.trim()) {
      yield JSON.parse(line) as AuditEvent;
    }
  }
}
