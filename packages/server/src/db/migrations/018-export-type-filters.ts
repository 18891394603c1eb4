/**
 * Bulk Data `_typeFilter` (src/fhir/bulk/type-filter.ts): the kick-off's filters are kept with the job,
 * which may run on another instance, and compiled to SQL when it runs.
 */
export const sql = `
alter table bulk_export_job add column type_filters text[] not null default '{}';
`;
