import type { Queryable } from '../../db/database.ts';
import { ID_PATTERN, parseReference } from '../references.ts';
import type { SearchFilter, SearchRequest } from './model.ts';
import { splitPipes, unescapeValue } from './parse.ts';
import { NHS_NUMBER_SYSTEM } from '@careweave/vocabulary';

const NHS_NUMBER = /^\d{10}$/;

/**
 * The patients a search asks about, whatever it returned: every `Patient/…` reference among its
 * values (chains and `_has` included), the bare ids of `patient=` and of `_id` on Patient, and the
 * Patients whose NHS number it names. A search is recorded against each of them in the audit trail,
 * so a probe that returns nothing (or only directory data) still shows in that patient's access
 * log. Ids are looked up unrestricted: the audit trail, not the caller, learns them.
 */
export async function patientsNamedIn(db: Queryable, request: SearchRequest, fhirBase: string): Promise<string[]> {
  const ids = new Set<string>();
  const nhsNumbers = new Set<string>();
  const visit = (filter: SearchFilter, resourceType: string): void => {
    filter.anyOf?.forEach((alternative) => visit(alternative, resourceType));
    if (filter.has) {
      visit(filter.has.filter, filter.has.sourceType);
    }
    if (filter.chain) {
      visit(filter.chain.filter, filter.chain.targetType ?? '');
    }
    for (const raw of filter.values) {
      const value = unescapeValue(raw);
      const parsed = parseReference(value, fhirBase);
      if (parsed.type === 'Patient' && parsed.id && !parsed.url) {
        ids.add(parsed.id);
      } else if (
        ID_PATTERN.test(value) &&
        (filter.name === 'patient' || (filter.name === '_id' && resourceType === 'Patient'))
      ) {
        ids.add(value);
      }
      const parts = splitPipes(raw);
      const [system, code] = parts.length > 1 ? parts : [undefined, parts[0]];
      if (
        filter.name === 'identifier' &&
        code &&
        (system === NHS_NUMBER_SYSTEM || (!system && NHS_NUMBER.test(code)))
      ) {
        nhsNumbers.add(code);
      }
    }
  };
  request.filters.forEach((filter) => visit(filter, request.resourceType));
  if (nhsNumbers.size) {
    const numbers = [...nhsNumbers];
    // One number (the usual case) as an equality, so the statement's reused generic plan probes the
    // index on the code; with `code = any($2)` the generic plan scanned every Patient's NHS number
    // token (2.5 ms at 2,000 patients, growing with the population) on every search that named one.
    // Several are planned for their values each time, for the same reason.
    const rows =
      numbers.length === 1
        ? await db.query<{ id: string }>(
            `select distinct id from search_token
              where resource_type = 'Patient' and param = 'identifier' and system = $1 and code = $2`,
            [NHS_NUMBER_SYSTEM, numbers[0]!],
          )
        : await db.query<{ id: string }>(
            `select distinct id from search_token
              where resource_type = 'Patient' and param = 'identifier' and system = $1 and code = any($2::text[])`,
            [NHS_NUMBER_SYSTEM, numbers],
            { reusePlan: false },
          );
    rows.forEach((row) => ids.add(row.id));
  }
  return [...ids];
}
