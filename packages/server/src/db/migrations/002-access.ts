/**
 * Access control (docs/ACCESS.md, src/access/): facts derived from the record at write time so
 * that the policy is plain indexed SQL, the governance tables (sharing agreements, break-glass) and
 * the append-only, hash-chained audit log.
 *
 * - `access_relationship`: one row per (patient, organisation or practitioner) relationship a
 *   current Patient, CareTeam, ServiceRequest, Encounter or EpisodeOfCare establishes; replaced
 *   whenever that resource is written, removed when it is deleted. Only resources whose status
 *   establishes a relationship produce rows; `valid_from`/`valid_to` (CareTeam participant
 *   periods) are compared with now() when the policy runs.
 * - `access_consent_rule`: one row per Consent provision (top level and nested), replaced likewise.
 * - `sharing_agreement` + `sharing_agreement_party`: information-sharing agreements, and
 *   `access_grant`, what they currently grant for direct care (derived, see below).
 * - `break_glass`: emergency access sessions.
 * - `audit_log`: every access to patient data. A BEFORE INSERT trigger serialises writers with a
 *   transaction-level advisory lock, numbers the row, and chains it:
 *   hash = sha256(prev_hash || audit_log_canonical(row)). UPDATE, DELETE and TRUNCATE are refused.
 */
export const AUDIT_CHAIN_LOCK_KEY = 4_242_002;
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The append-only triggers, separately so a test can drop and recreate them (tamper test). */
export const auditAppendOnlyTriggers = `
create trigger audit_log_no_change before update or delete on audit_log
  for each row execute function audit_log_refuse();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse();
`;

export const sql = `
create table access_relationship (
  source_type text not null,
  source_id text not null,
  patient_id text not null,
  organization_id text,
  practitioner_id text,
  kind text not null check (kind in ('registered', 'care-team', 'referral', 'encounter', 'episode')),
  valid_from timestamptz,
  valid_to timestamptz,
  care_team_id text,
  check (organization_id is not null or practitioner_id is not null)
);
create index access_relationship_source_idx on access_relationship (source_type, source_id);
create index access_relationship_org_idx on access_relationship (patient_id, organization_id);
create index access_relationship_practitioner_idx on access_relationship (patient_id, practitioner_id)
  where practitioner_id is not null;
create index access_relationship_care_team_idx on access_relationship (care_team_id) where care_team_id is not null;

create table access_consent_rule (
  consent_id text not null,
  rule_index integer not null,
  patient_id text not null,
  effect text not null check (effect in ('deny', 'permit')),
  -- References as 'Type/id'; empty means everyone.
  actors text[] not null default '{}',
  -- Data categories; empty means all.
  categories text[] not null default '{}',
  valid_from timestamptz,
  valid_to timestamptz,
  -- Consent.status = active and scope = patient-privacy.
  active boolean not null,
  primary key (consent_id, rule_index)
);
create index access_consent_rule_patient_idx on access_consent_rule (patient_id) where active;

create table sharing_agreement (
  id text primary key,
  title text not null,
  purposes text[] not null,
  lawful_basis text not null,
  valid_from date not null,
  valid_to date,
  categories text[] not null,
  recipient_roles text[] not null default '{}',
  created_at timestamptz not null default now(),
  created_by jsonb,
  withdrawn_at timestamptz,
  withdrawn_by jsonb,
  withdrawn_reason text,
  check (valid_to is null or valid_to >= valid_from)
);

create table sharing_agreement_party (
  agreement_id text not null references sharing_agreement (id),
  organization_id text not null,
  role text not null check (role in ('provider', 'recipient', 'both')),
  -- The signature: who signed for the organisation ('Practitioner/{id}'), their user id, when.
  signed_by text,
  signed_by_user text,
  signed_at timestamptz,
  primary key (agreement_id, organization_id)
);
create index sharing_agreement_party_org_idx on sharing_agreement_party (organization_id);

-- What agreements grant for direct care, one row per (agreement, provider, recipient, category),
-- kept by the agreement service whenever an agreement is created, signed or withdrawn: only
-- agreements every party has signed, not withdrawn, with purpose direct-care, provider <> recipient.
-- The dates are checked when the policy runs (they expire without any write).
create table access_grant (
  agreement_id text not null references sharing_agreement (id),
  provider_org text not null,
  recipient_org text not null,
  category text not null,
  recipient_roles text[] not null,
  valid_from date not null,
  valid_to date
);
create index access_grant_recipient_idx on access_grant (recipient_org);
create index access_grant_agreement_idx on access_grant (agreement_id);

create table break_glass (
  id text primary key,
  user_id text not null,
  practitioner_id text not null,
  organization_id text not null,
  role_code text,
  patient_id text not null,
  reason text not null,
  started_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check (expires_at > started_at)
);
create index break_glass_user_idx on break_glass (user_id, patient_id, expires_at);
create index break_glass_patient_idx on break_glass (patient_id, started_at);

create sequence audit_log_seq;
create table audit_log (
  -- Assigned by the chain trigger under its lock, so seq order is chain order.
  seq bigint primary key,
  recorded_at timestamptz not null,
  actor jsonb not null,
  patient_ids text[] not null default '{}',
  resource_refs text[] not null default '{}',
  interaction text not null,
  purpose text,
  decision text not null,
  break_glass_reason text,
  query text,
  prev_hash text not null,
  hash text not null
);
create index audit_log_patient_idx on audit_log using gin (patient_ids);

-- The exact text each hash covers: independent of session settings (time zone, output formats).
create function audit_log_canonical(a audit_log) returns text language sql stable as $fn$
  select jsonb_build_array(
    a.seq,
    to_char(a.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    a.actor, a.patient_ids, a.resource_refs, a.interaction, a.purpose, a.decision,
    a.break_glass_reason, a.query
  )::text
$fn$;

create function audit_log_chain() returns trigger language plpgsql as $fn$
declare
  previous text;
begin
  -- One writer at a time across every process; held to the end of the inserting transaction,
  -- so the next writer reads this row's hash once it is committed.
  perform pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY});
  select hash into previous from audit_log order by seq desc limit 1;
  new.seq := nextval('audit_log_seq');
  new.recorded_at := clock_timestamp();
  new.prev_hash := coalesce(previous, '${AUDIT_GENESIS_HASH}');
  new.hash := encode(sha256(convert_to(new.prev_hash || audit_log_canonical(new), 'UTF8')), 'hex');
  return new;
end
$fn$;
create trigger audit_log_chain before insert on audit_log for each row execute function audit_log_chain();

create function audit_log_refuse() returns trigger language plpgsql as $fn$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end
$fn$;
${auditAppendOnlyTriggers}
`;
