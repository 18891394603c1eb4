import { issue, OperationOutcomeError, outcome } from '../fhir/outcome.ts';
import type { AccessEvent } from '../fhir/store/hooks.ts';
import type { WriteScope } from './write-scope.ts';

export function forbidden(message: string): OperationOutcomeError {
  return new OperationOutcomeError(outcome(issue('error', 'forbidden', message)));
}

/**
 * A write the rules refuse. `patients` and `resources` are what the audit trail records the
 * refusal against (docs/ACCESS.md, *Audit*): the patients concerned see it in their access log.
 */
export class WriteRefusal extends OperationOutcomeError {
  readonly patients: string[];
  readonly resources: string[];

  constructor(error: OperationOutcomeError, about: { patients?: Iterable<string>; resources?: Iterable<string> }) {
    super(error.outcome, error.status);
    this.patients = [...(about.patients ?? [])];
    this.resources = [...(about.resources ?? [])];
  }
}

/** Refuses `scope`'s write with `error`, recorded against everything the write is about. */
export function refuse(scope: WriteScope, error: OperationOutcomeError): never {
  throw new WriteRefusal(error, { patients: scope.patients, resources: [scope.key] });
}

/** The audit event of a refused write. */
export function refusalEvent(refusal: WriteRefusal, interaction: AccessEvent['interaction']): AccessEvent {
  return { interaction, resources: refusal.resources, patients: refusal.patients, decision: 'deny' };
}
