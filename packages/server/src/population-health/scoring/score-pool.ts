/**
 * Where a run's chunks are scored: on worker threads (PostgreSQL: the database works in its own
 * processes meanwhile, and decoding and scoring a million histories is most of Node's share of a run),
 * or on the calling thread (`threads: 0`; PGlite, which runs in this thread anyway).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RiskModel } from '../model/model.ts';
import type { StoredHistoryRow } from '../history/codec.ts';
import { scoreChunk, type ScoredChunk } from './score-chunk.ts';

export interface ScoreRequest {
  id: number;
  model: RiskModel;
  at: number;
  rows: readonly StoredHistoryRow[];
  keepRows: boolean;
}

export type ScoreResponse = { id: number; chunk: ScoredChunk } | { id: number; error: string };

export interface ScorePool {
  score(rows: readonly StoredHistoryRow[]): Promise<ScoredChunk>;
  close(): Promise<void>;
}

/** Scoring threads by default on PostgreSQL: the cores, at most 4 (PostgreSQL needs CPU too). */
export function defaultScoringThreads(): number {
  return Math.min(4, os.availableParallelism());
}

export function scorePool(model: RiskModel, at: Date, options: { threads: number; keepRows: boolean }): ScorePool {
  if (options.threads <= 0) {
    return {
      score: (rows) => Promise.resolve(scoreChunk(model, at, rows, { keepRows: options.keepRows })),
      close: () => Promise.resolve(),
    };
  }
  return new WorkerScorePool(model, at, options.threads, options.keepRows);
}

/** Chunks go to the worker with the fewest in hand; answers come back by id. */
class WorkerScorePool implements ScorePool {
  private readonly workers: { worker: Worker; pending: number }[];
  private readonly waiting = new Map<number, { resolve: (chunk: ScoredChunk) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure?: Error;
  private closing = false;
  private readonly model: RiskModel;
  private readonly at: Date;
  private readonly keepRows: boolean;

  constructor(model: RiskModel, at: Date, threads: number, keepRows: boolean) {
    this.model = model;
    this.at = at;
    this.keepRows = keepRows;
    this.workers = Array.from({ length: threads }, () => {
      const slot = { worker: new Worker(new URL('./score.worker.ts', import.meta.url)), pending: 0 };
      slot.worker.on('message', (response: ScoreResponse) => {
        slot.pending--;
        const waiter = this.waiting.get(response.id);
        this.waiting.delete(response.id);
        if ('error' in response) {
          waiter?.reject(new Error(`scoring worker failed: ${response.error}`));
        } else {
          waiter?.resolve(response.chunk);
        }
      });
      slot.worker.on('error', (error) => this.broken(error));
      slot.worker.on('exit', (code) => {
        if (!this.closing) {
          this.broken(new Error(`a scoring worker exited with code ${code}`));
        }
      });
      return slot;
    });
  }

  score(rows: readonly StoredHistoryRow[]): Promise<ScoredChunk> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const slot = this.workers.reduce((a, b) => (b.pending < a.pending ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      slot.pending++;
      slot.worker.postMessage({
        id,
        model: this.model,
        at: this.at.getTime(),
        rows,
        keepRows: this.keepRows,
      } satisfies ScoreRequest);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private broken(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) {
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
