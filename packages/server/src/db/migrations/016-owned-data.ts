/**
 * Data that is not about one patient (docs/ACCESS.md, *Directory data* and *Owned data*; issue 9):
 * - the public directory (Organization, Location, HealthcareService, Practitioner, PractitionerRole,
 *   Medication, a free Slot, an active Schedule) is labelled `public-directory`, per version: patients
 *   and their proxies read only it; the rest of the directory stays unlabelled, for staff and systems;
 * - a worklist (`List`) or draft (`Basic`) about no patient is `owned` data, seen only by its owners
 *   and whom they share it with, kept in `access_owned` (as a cohort `Group` is from now on);
 * - `access_team_member` holds every CareTeam's current members, with or without a subject, for
 *   shares with a team.
 * Owners and shares are read here from the stored content with references taken as `…Type/id`;
 * `careweave relabel` (relabelAll) recomputes them exactly as the server does on every write.
 */

/** SQL: the FHIR date or dateTime `text` as its first instant (UTC), or null. */
function low(text: string): string {
  return `case when ${text} ~ '^\\d{4}$' then (${text} || '-01-01T00:00:00Z')::timestamptz
    when ${text} ~ '^\\d{4}-\\d{2}$' then (${text} || '-01T00:00:00Z')::timestamptz
    when ${text} ~ '^\\d{4}-\\d{2}-\\d{2}$' then (${text} || 'T00:00:00Z')::timestamptz
    when ${text} ~ '^\\d{4}-\\d{2}-\\d{2}T' then (${text})::timestamptz end`;
}

/** SQL: the FHIR date or dateTime `text` as its last instant (UTC), or null. */
function high(text: string): string {
  return `case when ${text} ~ '^\\d{4}$' then (${text} || '-01-01T00:00:00Z')::timestamptz + interval '1 year' - interval '1 millisecond'
    when ${text} ~ '^\\d{4}-\\d{2}$' then (${text} || '-01T00:00:00Z')::timestamptz + interval '1 month' - interval '1 millisecond'
    when ${text} ~ '^\\d{4}-\\d{2}-\\d{2}$' then (${text} || 'T00:00:00Z')::timestamptz + interval '1 day' - interval '1 millisecond'
    when ${text} ~ '^\\d{4}-\\d{2}-\\d{2}T' then (${text})::timestamptz end`;
}

/** SQL: `Type/id` at the end of a reference text when Type is one of `types`, or null. */
const localRef = (text: string, types: string): string =>
  `substring(${text} from '(?:^|/)((?:${types})/[A-Za-z0-9\\-.]{1,64})$')`;

const PUBLIC = `resource_type in ('Organization', 'Location', 'HealthcareService', 'Practitioner', 'PractitionerRole', 'Medication')
    or (resource_type = 'Slot' and content->>'status' = 'free')
    or (resource_type = 'Schedule' and coalesce(content->>'active', 'true') <> 'false')`;

export const sql = `
create table access_owned (
  resource_type text not null,
  id text not null,
  principals text[] not null,
  primary key (resource_type, id)
);
create index access_owned_principals_idx on access_owned using gin (principals);

create table access_team_member (
  care_team_id text not null,
  organization_id text,
  practitioner_id text,
  valid_from timestamptz,
  valid_to timestamptz
);
create index access_team_member_team_idx on access_team_member (care_team_id);
create index access_team_member_org_idx on access_team_member (organization_id) where organization_id is not null;
create index access_team_member_practitioner_idx on access_team_member (practitioner_id) where practitioner_id is not null;

update resource_version set category = 'public-directory'
 where patient_id is null and category is null and not deleted and (${PUBLIC});
update resource_version v set category = p.category
  from resource_version p
 where v.deleted and v.patient_id is null and p.resource_type = v.resource_type and p.id = v.id
   and p.version_id = v.version_id - 1 and p.category = 'public-directory';
update resource r set category = v.category
  from resource_version v
 where r.patient_id is null and r.category is null and v.resource_type = r.resource_type and v.id = r.id
   and v.version_id = r.version_id and v.category = 'public-directory';
update resource set category = 'owned' where patient_id is null and resource_type in ('List', 'Basic');
update resource_version set category = 'owned' where patient_id is null and resource_type in ('List', 'Basic');

insert into access_owned (resource_type, id, principals)
select r.resource_type, r.id, array(select distinct p from unnest(
         array[coalesce(${localRef(
           `case r.resource_type when 'Group' then c->'managingEntity'->>'reference'
              when 'List' then c->'source'->>'reference' when 'Basic' then c->'author'->>'reference' end`,
           'Practitioner|PractitionerRole|Organization',
         )}, 'Organization/' || r.source_org)]
         || array(select ${localRef(`e->'valueReference'->>'reference'`, 'Practitioner|CareTeam|Organization')}
                    from jsonb_array_elements(case when jsonb_typeof(c->'extension') = 'array' then c->'extension' else '[]'::jsonb end) e
                   where e->>'url' = 'https://careweave.example/fhir/StructureDefinition/shared-with')) as p
       where p is not null order by p)
  from (select cr.resource_type, cr.id, cr.source_org, cr.content::jsonb as c from current_resource cr
         where cr.patient_id is null and cr.category in ('cohort', 'owned')) r;

insert into access_team_member (care_team_id, organization_id, practitioner_id, valid_from, valid_to)
select t.id,
       ${localRef(`p->'member'->>'reference'`, 'Organization')},
       ${localRef(`p->'member'->>'reference'`, 'Practitioner')},
       ${low(`(p->'period'->>'start')`)}, ${high(`(p->'period'->>'end')`)}
  from (select id, content::jsonb as c from current_resource where resource_type = 'CareTeam' and not deleted) t,
       jsonb_array_elements(case when jsonb_typeof(t.c->'participant') = 'array' then t.c->'participant' else '[]'::jsonb end) p
 where coalesce(t.c->>'status', 'active') = 'active'
   and (${localRef(`p->'member'->>'reference'`, 'Organization')} is not null
     or ${localRef(`p->'member'->>'reference'`, 'Practitioner')} is not null);
update access_team_member set organization_id = substring(organization_id from 14) where organization_id is not null;
update access_team_member set practitioner_id = substring(practitioner_id from 14) where practitioner_id is not null;
`;
