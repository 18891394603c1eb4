/**
 * The FHIR store. `resource_version` keeps every version ever written, with its content;
 * `resource` has one row per resource pointing at its current version (deleted ones stay as
 * tombstones so ids are never reused), with what searches filter on. Content is written once per
 * version, which halves the write volume of imports compared with copying it into both tables.
 * Search parameters are extracted at write time into one table per FHIR search type, keyed by
 * (resource_type, id), so a search is plain indexed SQL and policy filters compose with it.
 * `content` is `json`, not `jsonb`: it keeps the client's key order and lets reads send the stored
 * text as is, without a parse and re-serialise per request.
 */
export const sql = `
create table resource (
  resource_type text not null,
  id text not null,
  version_id integer not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  compartments text[] not null default '{}',
  -- Labels the access policy filters on (docs/ACCESS.md): the resource's patient, the
  -- organisation whose record it is, and its data category.
  patient_id text,
  source_org text,
  category text,
  primary key (resource_type, id)
);
create index resource_patient_idx on resource (patient_id) where patient_id is not null;
-- Searches sort by id under collation "C" (identical order on PGlite and any PostgreSQL locale);
-- this index supplies that order, so a page of 20 never sorts every resource of a type.
create index resource_type_id_c_idx on resource (resource_type, (id collate "C"));
create index resource_compartments_idx on resource using gin (compartments);
create index resource_last_updated_idx on resource (resource_type, last_updated);

create table resource_version (
  resource_type text not null,
  id text not null,
  version_id integer not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  method text not null,
  content json,
  primary key (resource_type, id, version_id)
);
-- lz4 compresses large resources several times faster than the default pglz; builds without
-- lz4 (PGlite) keep the default.
do $$ begin
  alter table resource_version alter column content set compression lz4;
exception when others then null;
end $$;
create index resource_version_time_idx on resource_version (last_updated);
create index resource_version_type_time_idx on resource_version (resource_type, last_updated);

-- The current version of each resource, with its content.
create view current_resource as
  select r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.compartments,
         r.patient_id, r.source_org, r.category, v.content
    from resource r
    join resource_version v on v.resource_type = r.resource_type and v.id = r.id and v.version_id = r.version_id;

create table search_token (
  resource_type text not null, id text not null, param text not null,
  system text, code text, display text
);
create index search_token_value_idx on search_token (resource_type, param, code, system);
create index search_token_owner_idx on search_token (resource_type, id);

create table search_string (
  resource_type text not null, id text not null, param text not null,
  value text not null, raw text not null
);
create index search_string_value_idx on search_string (resource_type, param, value text_pattern_ops);
create index search_string_owner_idx on search_string (resource_type, id);

create table search_date (
  resource_type text not null, id text not null, param text not null,
  low timestamptz not null, high timestamptz not null
);
create index search_date_value_idx on search_date (resource_type, param, low, high);
create index search_date_owner_idx on search_date (resource_type, id);

create table search_number (
  resource_type text not null, id text not null, param text not null,
  value numeric not null
);
create index search_number_value_idx on search_number (resource_type, param, value);
create index search_number_owner_idx on search_number (resource_type, id);

create table search_quantity (
  resource_type text not null, id text not null, param text not null,
  value numeric not null, system text, code text, unit text
);
create index search_quantity_value_idx on search_quantity (resource_type, param, value);
create index search_quantity_owner_idx on search_quantity (resource_type, id);

create table search_reference (
  resource_type text not null, id text not null, param text not null,
  target_type text, target_id text, target_url text
);
create index search_reference_target_idx on search_reference (target_id, target_type, param, resource_type);
create index search_reference_owner_idx on search_reference (resource_type, id);
create index search_reference_url_idx on search_reference (target_url) where target_url is not null;

create table search_uri (
  resource_type text not null, id text not null, param text not null,
  value text not null
);
create index search_uri_value_idx on search_uri (resource_type, param, value);
create index search_uri_owner_idx on search_uri (resource_type, id);


-- Small facts about this installation (e.g. that demo data was loaded), shared by all instances.
create table platform_state (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
`;
