import type { Database, Queryable, SqlParam } from '../db/database.ts';
import { patientEverything } from '../fhir/operations/everything.ts';
import { ResourceService, type ServiceOptions } from '../fhir/store/resource.service.ts';

interface Captured {
  sql: string;
  params: readonly SqlParam[];
}

/** A Queryable that records every statement and passes it on. */
function capturing(db: Queryable, into: Captured[]): Queryable {
  return {
    query: async <T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> => {
      into.push({ sql, params });
      return db.query<T>(sql, params);
    },
    exec: (sql: string) => db.exec(sql),
    queue: async (sql: string, params: readonly SqlParam[] = []): Promise<void> => {
      into.push({ sql, params });
      await db.queue(sql, params);
    },
    flush: () => db.flush(),
    afterCommit: (callback: () => void) => db.afterCommit(callback),
  };
}

export interface ExplainedStatement {
  sql: string;
  params: readonly SqlParam[];
  plan: string;
  executionMs: number | null;
  /** Tables read with a sequential scan (the usual sign of a missing or unused index). */
  seqScans: string[];
  indexesUsed: string[];
}

/**
 * Runs one FHIR query in-process exactly as the server would, captures the SQL it issues, then
 * runs EXPLAIN (ANALYZE, BUFFERS) on each statement with the same parameters.
 */
export async function explainFhirQuery(
  db: Database,
  options: ServiceOptions,
  query: string,
): Promise<ExplainedStatement[]> {
  const captured: Captured[] = [];
  const service = new ResourceService(capturing(db, captured), options);
  const everything = /^Patient\/([^/?]+)\/\$everything/.exec(query);
  if (everything) {
    await patientEverything(service, decodeURIComponent(everything[1]!), {});
  } else {
    const [type = '', search = ''] = query.split('?', 2);
    await service.search(type, [...new URLSearchParams(search)]);
  }
  const explained: ExplainedStatement[] = [];
  for (const { sql, params } of captured) {
    const rows = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`, params);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    const time = /Execution Time: ([\d.]+) ms/.exec(plan);
    explained.push({
      sql: sql.replace(/\s+/g, ' ').trim(),
      params,
      plan,
      executionMs: time ? Number(time[1]) : null,
      seqScans: [...new Set([...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!))],
      indexesUsed: [
        ...new Set(
          [...plan.matchAll(/Index (?:Only )?Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)/g)].map(
            (m) => (m[1] ?? m[2])!,
          ),
        ),
      ],
    });
  }
  return explained;
}

export function formatExplained(title: string, query: string, statements: readonly ExplainedStatement[]): string {
  const lines = [`=== ${title}`, `FHIR query: ${query}`, ''];
  statements.forEach((s, i) => {
    lines.push(
      `--- statement ${i + 1} of ${statements.length}: execution ${s.executionMs ?? '?'} ms; seq scans: ${s.seqScans.join(', ') || 'none'}; indexes: ${s.indexesUsed.join(', ') || 'none'}`,
      s.sql,
      `params: ${JSON.stringify(s.params)}`,
      '',
      s.plan,
      '',
    );
  });
  return lines.join('\n');
}
