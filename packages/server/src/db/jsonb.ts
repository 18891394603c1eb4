/**
 * A json or jsonb column's value as the object it holds. node-postgres parses jsonb into objects,
 * PGlite hands json back as text (src/db/pglite.ts keeps it so, like PostgreSQL's json for the FHIR
 * layer), and either may arrive as a string; this takes both. (Not for columns holding a bare JSON
 * string, which node-postgres would hand over already parsed.)
 *
 * @example
 * const actor = jsonbValue<Actor>(row.actor);
 */
export function jsonbValue<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
