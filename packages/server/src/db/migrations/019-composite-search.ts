/**
 * Composite search parameters (`code-value-quantity`, `component-code-value-quantity`, …): each
 * component is indexed in its own type's table, and `item` numbers the composite item it came from,
 * so a search can require every component to match within the same item (src/fhir/search/composite.ts).
 * Ordinary rows leave it null; adding a nullable column rewrites no table. Resources written before
 * this migration get their composite rows from `careweave reindex`.
 */
export const sql = `
alter table search_token add column item integer;
alter table search_string add column item integer;
alter table search_date add column item integer;
alter table search_number add column item integer;
alter table search_quantity add column item integer;
alter table search_reference add column item integer;
alter table search_uri add column item integer;
`;
