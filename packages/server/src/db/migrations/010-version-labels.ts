/**
 * Every version keeps the access labels it was written with (docs/ACCESS.md, *History*): a record
 * filed against the wrong patient and then corrected must not show its first version to the patient
 * it now belongs to, nor a version with a sensitivity label that was later removed to everyone who
 * may see the current one. Existing versions take their resource's current labels (what the policy
 * applied to them until now).
 */
export const sql = `
alter table resource_version add column patient_id text, add column source_org text, add column category text;
update resource_version v set patient_id = r.patient_id, source_org = r.source_org, category = r.category
  from resource r where r.resource_type = v.resource_type and r.id = v.id;
`;
