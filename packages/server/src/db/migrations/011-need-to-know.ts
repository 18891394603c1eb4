/**
 * The patient's own choices and need-to-know (docs/ACCESS.md; issue 14):
 * - `declared` relationships: a member of staff may declare a legitimate relationship with a reason
 *   (a self-claimed relationship, audited and reported to the privacy officer), kept in
 *   `declared_relationship` and visible to the policy as an `access_relationship` row;
 * - `online_withheld`: resources kept out of the patient's online view (and their proxies');
 *   existing ones are found from their security labels;
 * - `appointments` is a category of its own: Appointments written before were `encounters`, and
 *   agreements that shared encounters shared them, so those agreements now also list appointments;
 * - a `Group` (a cohort) is about several patients: it is labelled with no patient and category
 *   `cohort`, readable by its own organisation's staff, never as any one member's record.
 */
export const sql = `
alter table access_relationship drop constraint access_relationship_kind_check;
alter table access_relationship add constraint access_relationship_kind_check
  check (kind in ('registered', 'care-team', 'referral', 'encounter', 'episode', 'declared'));

create table declared_relationship (
  id text primary key,
  user_id text not null,
  practitioner_id text not null,
  organization_id text not null,
  role_code text,
  patient_id text not null,
  reason text not null,
  started_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz,
  check (expires_at > started_at)
);
create index declared_relationship_org_idx on declared_relationship (organization_id, started_at);
create index declared_relationship_user_idx on declared_relationship (user_id, patient_id);

create table online_withheld (
  resource_type text not null,
  id text not null,
  primary key (resource_type, id)
);
insert into online_withheld (resource_type, id)
  select resource_type, id from current_resource
   where not deleted and patient_id is not null and (
     content::jsonb -> 'meta' -> 'security' @> '[{"system": "https://careweave.example/fhir/CodeSystem/sensitivity", "code": "not-for-online-view"}]'
     or ((content::jsonb -> 'meta' -> 'security' @> '[{"system": "https://careweave.example/fhir/CodeSystem/sensitivity", "code": "safeguarding"}]'
          or content::jsonb -> 'meta' -> 'security' @> '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SDV"}]'
          or content::jsonb -> 'meta' -> 'security' @> '[{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "SOC"}]')
         and not coalesce(content::jsonb -> 'meta' -> 'security' @> '[{"system": "https://careweave.example/fhir/CodeSystem/sensitivity", "code": "online-view-released"}]', false)));

-- A cohort Group is about several patients: no one member's record (docs/ACCESS.md).
update resource set patient_id = null, category = 'cohort' where resource_type = 'Group';
update resource_version set patient_id = null, category = 'cohort' where resource_type = 'Group';

update resource set category = 'appointments'
 where resource_type in ('Appointment', 'AppointmentResponse') and category = 'encounters';
update resource_version set category = 'appointments'
 where resource_type in ('Appointment', 'AppointmentResponse') and category = 'encounters';
update sharing_agreement set categories = array_append(categories, 'appointments')
 where 'encounters' = any(categories) and not 'appointments' = any(categories);
insert into access_grant (agreement_id, provider_org, recipient_org, category, recipient_roles, valid_from, valid_to)
  select g.agreement_id, g.provider_org, g.recipient_org, 'appointments', g.recipient_roles, g.valid_from, g.valid_to
    from access_grant g
   where g.category = 'encounters' and not exists (select 1 from access_grant a where a.agreement_id = g.agreement_id
     and a.provider_org = g.provider_org and a.recipient_org = g.recipient_org and a.category = 'appointments');
`;
