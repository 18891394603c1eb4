import type { Database } from './database.ts';
import { sql as fhirStore } from './migrations/001-fhir-store.ts';
import { sql as access } from './migrations/002-access.ts';
import { sql as auth } from './migrations/003-auth.ts';
import { sql as bulkExport } from './migrations/004-bulk-export.ts';
import { sql as auditChains } from './migrations/005-audit-chains.ts';
import { sql as subscriptions } from './migrations/006-subscriptions.ts';
import { sql as searchPlanning } from './migrations/007-search-planning.ts';
import { sql as auditLookups } from './migrations/008-audit-lookups.ts';
import { sql as consentOwner } from './migrations/009-consent-owner.ts';
import { sql as versionLabels } from './migrations/010-version-labels.ts';
import { sql as needToKnow } from './migrations/011-need-to-know.ts';
import { sql as dataOptOut } from './migrations/012-data-opt-out.ts';
import { sql as hl7v2 } from './migrations/013-hl7v2.ts';
import { sql as sms } from './migrations/014-sms.ts';
import { sql as events } from './migrations/015-events.ts';
import { sql as ownedData } from './migrations/016-owned-data.ts';
import { sql as subscriptionPings } from './migrations/017-subscription-pings.ts';
import { sql as exportTypeFilters } from './migrations/018-export-type-filters.ts';
import { sql as compositeSearch } from './migrations/019-composite-search.ts';
import { sql as replicaFences } from './migrations/020-replica-fences.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Versioned migrations, applied in order, each exactly once. Append; never edit a released one. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'fhir-store', sql: fhirStore },
  { version: 2, name: 'access', sql: access },
  { version: 3, name: 'auth', sql: auth },
  { version: 4, name: 'bulk-export', sql: bulkExport },
  { version: 5, name: 'audit-chains', sql: auditChains },
  { version: 6, name: 'subscriptions', sql: subscriptions },
  { version: 7, name: 'search-planning', sql: searchPlanning },
  { version: 8, name: 'audit-lookups', sql: auditLookups },
  { version: 9, name: 'consent-owner', sql: consentOwner },
  { version: 10, name: 'version-labels', sql: versionLabels },
  { version: 11, name: 'need-to-know', sql: needToKnow },
  { version: 12, name: 'data-opt-out', sql: dataOptOut },
  { version: 13, name: 'hl7v2', sql: hl7v2 },
  { version: 14, name: 'sms', sql: sms },
  { version: 15, name: 'events', sql: events },
  { version: 16, name: 'owned-data', sql: ownedData },
  { version: 17, name: 'subscription-pings', sql: subscriptionPings },
  { version: 18, name: 'export-type-filters', sql: exportTypeFilters },
  { version: 19, name: 'composite-search', sql: compositeSearch },
  { version: 20, name: 'replica-fences', sql: replicaFences },
];

// Arbitrary constant: every CareWeave process takes this lock before migrating, so several app
// instances starting together against one PostgreSQL apply each migration once.
const MIGRATION_LOCK_KEY = 4_242_001;

export async function migrate(db: Database): Promise<number[]> {
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    if (db.kind === 'postgres') {
      // A migration may build an index over a large table, and waits for other instances' lock:
      // the statement timeout meant for requests (CAREWEAVE_STATEMENT_TIMEOUT_MS) does not apply.
      await tx.exec('set local statement_timeout = 0');
    }
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`create table if not exists schema_migration (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const rows = await tx.query<{ version: number }>('select version from schema_migration');
    const done = new Set(rows.map((row) => Number(row.version)));
    for (const migration of migrations) {
      if (done.has(migration.version)) {
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('insert into schema_migration (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
  });
  return applied;
}
