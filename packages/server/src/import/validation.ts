import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { validateFhirResource } from '../fhir/validation/validate.ts';

/** The outcome of validating one resource: undefined when it has no errors. */
export type ValidationResult = { first: OperationOutcomeIssue; count: number } | undefined;

export interface ValidationRequest {
  id: number;
  resources: unknown[];
}

export interface ValidationResponse {
  id: number;
  results: ValidationResult[];
}

/** The errors (not warnings) of a resource, summarised; a validator crash counts as an error. */
export function firstErrors(
  resource: unknown,
  validate: (resource: unknown) => OperationOutcomeIssue[],
): ValidationResult {
  let issues: OperationOutcomeIssue[];
  try {
    issues = validate(resource);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      first: { severity: 'error', code: 'exception', diagnostics: `The validator failed: ${message}` },
      count: 1,
    };
  }
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  return errors.length ? { first: errors[0]!, count: errors.length } : undefined;
}

/** Validates on the calling thread. */
export function validateHere(resource: unknown): ValidationResult {
  return firstErrors(resource, validateFhirResource);
}

/** Worker threads to use by default: one fewer than the cores (the main thread parses and writes), at most 4. */
export function defaultValidationWorkers(): number {
  return Math.min(4, Math.max(1, os.availableParallelism() - 1));
}

/**
 * Validates resources on worker threads (FHIR validation is the most expensive step of an import
 * and is pure CPU). A batch is split across the workers; results come back in order.
 */
export class ValidatorPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<
    number,
    { resolve: (results: ValidationResult[]) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private failure?: Error;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./validate.worker.ts', import.meta.url));
      worker.on('message', (response: ValidationResponse) => {
        const waiter = this.waiting.get(response.id);
        this.waiting.delete(response.id);
        waiter?.resolve(response.results);
      });
      worker.on('error', (error) => this.broken(error));
      worker.on('exit', (code) => {
        if (code !== 0) {
          this.broken(new Error(`A validation worker exited with code ${code}`));
        }
      });
      return worker;
    });
  }

  async validate(resources: readonly unknown[]): Promise<ValidationResult[]> {
    if (this.failure) {
      throw this.failure;
    }
    if (resources.length === 0) {
      return [];
    }
    const size = Math.ceil(resources.length / this.workers.length);
    const parts: Promise<ValidationResult[]>[] = [];
    for (let w = 0; w * size < resources.length; w++) {
      const id = this.nextId++;
      parts.push(
        new Promise((resolve, reject) => {
          this.waiting.set(id, { resolve, reject });
          this.workers[w]!.postMessage({
            id,
            resources: resources.slice(w * size, (w + 1) * size),
          } satisfies ValidationRequest);
        }),
      );
    }
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private broken(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) {
      waiter.reject(error);
    }
    this.waiting.clear();
  }
}
