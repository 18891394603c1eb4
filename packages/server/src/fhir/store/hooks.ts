import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import type { RowRestriction } from '../search/execute.ts';
import type { ResourceLabels, StoredResource, VersionWrite } from './resource.repository.ts';

export interface PendingWrite {
  resource: Resource;
  method: VersionWrite['method'];
  /** The current stored version, when there is one. */
  previous?: StoredResource;
}

/**
 * Store-wide hooks, whoever the caller: the access module labels every resource (patient, source
 * organisation, category) and keeps its derived tables (relationships, consent rules) in step, in
 * the same transaction as the write.
 */
export interface StoreHooks {
  /** Refuses resources a module's rules do not allow (throws), before they are labelled or written. */
  check?(tx: Queryable, resources: readonly Resource[]): Promise<void>;
  label?(tx: Queryable, resources: readonly Resource[]): Promise<{ resource: Resource; labels: ResourceLabels }[]>;
  afterWrite?(tx: Queryable, writes: readonly VersionWrite[], resources: ReadonlyMap<string, Resource>): Promise<void>;
}

/** What a caller has been shown or has changed, for the audit trail. */
export interface AccessEvent {
  interaction: 'read' | 'vread' | 'search' | 'history' | 'everything' | 'create' | 'update' | 'patch' | 'delete';
  /** `Type/id` of every resource returned or written. */
  resources: string[];
  /** Patient ids those resources belong to. */
  patients: string[];
  query?: string;
  /**
   * `deny`: the caller asked for these resources by id and the access policy hid them (they were
   * answered 404, as if absent). Recorded so that a patient and their privacy officer see refused
   * attempts too. Absent: the resources were returned or written.
   */
  decision?: 'deny';
}

/**
 * What binds a ResourceService to one caller: the SQL condition on every row they may see, the
 * check on every write, and the audit of every access.
 */
export interface CallerAccess {
  restrict?: RowRestriction;
  /**
   * SQL (on a row alias) for hidden rows the caller must not even be told exist: for a patient or
   * carer, what is kept from their online view. `$everything`'s "something is withheld" notice
   * ignores them, so the notice itself cannot reveal them.
   */
  unmentioned?: (alias: string) => string;
  /** Throws an OperationOutcomeError (403) when the caller may not make these writes; may rewrite them. */
  authorizeWrite?(tx: Queryable, writes: readonly PendingWrite[]): Promise<Resource[]>;
  recordAccess?(tx: Queryable, event: AccessEvent): Promise<void>;
  /**
   * Remembers a refused write (`decision: 'deny'`) to be audited once the write's transaction has
   * ended: the refusal rolls the transaction back, and its audit row must not go with it.
   */
  recordRefusal?(event: AccessEvent): void;
  /** Writes the remembered refusals' audit rows (outside any transaction). */
  flushRefusals?(): Promise<void>;
}
