import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import { issue, OperationOutcomeError, outcome } from '../outcome.ts';

/**
 * A rule a module holds resources of some types to whenever they are written, by anyone, through any
 * path (REST, a Bundle, an import, another module): what a care module needs to be true of the
 * resources it acts on is refused at the door with a clear OperationOutcome, instead of being
 * accepted and failing later where nobody sees it.
 */
export interface WriteCheck {
  /** For the log and the outcome: `telehealth: enrolment CarePlan`. */
  name: string;
  types: readonly string[];
  /** What is wrong with the resource (empty: nothing), read in the write's transaction. */
  check(tx: Queryable, resource: Resource): Promise<readonly string[]>;
}

/** The write checks of a platform's store; modules add theirs when they are installed. */
export class WriteChecks {
  private readonly checks: WriteCheck[] = [];

  add(check: WriteCheck): void {
    this.checks.push(check);
  }

  /** Throws a 422 (`business-rule`) listing every problem of every resource, before anything is written. */
  async run(tx: Queryable, resources: readonly Resource[]): Promise<void> {
    const problems: string[] = [];
    for (const resource of resources) {
      for (const check of this.checks) {
        if (check.types.includes(resource.resourceType)) {
          const found = await check.check(tx, resource);
          problems.push(...found.map((p) => `${resource.resourceType}/${resource.id ?? 'new'}: ${p}`));
        }
      }
    }
    if (problems.length) {
      throw new OperationOutcomeError(outcome(...problems.map((p) => issue('error', 'business-rule', p))));
    }
  }
}
