/**
 * Sign-in (src/auth/): user accounts and their staff role profiles, federated identities, system
 * clients, the signing keys every instance shares, and what the OpenID provider persists
 * (sessions, interactions, grants, codes, refresh tokens). Nothing about sign-in lives in process
 * memory, so any instance can finish what another started.
 */
export const sql = `
create table auth_user (
  id text primary key,
  username text not null,
  email text,
  display_name text,
  -- scrypt$N$r$p$salt$hash; null for accounts that only sign in through NHS CIS2 or NHS login.
  password_hash text,
  failed_attempts integer not null default 0,
  locked_until timestamptz,
  disabled boolean not null default false,
  is_admin boolean not null default false,
  -- Who the person is in the record: Practitioner/…, Patient/… or RelatedPerson/….
  fhir_user text check (fhir_user ~ '^(Practitioner|Patient|RelatedPerson)/[A-Za-z0-9.-]{1,64}$'),
  nhs_number text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index auth_user_username_idx on auth_user (lower(username));
create unique index auth_user_email_idx on auth_user (lower(email)) where email is not null;
create index auth_user_fhir_user_idx on auth_user (fhir_user);

-- A member of staff works in one role profile per session: organisation + national RBAC role.
create table auth_role_profile (
  id text primary key,
  user_id text not null references auth_user (id) on delete cascade,
  organization_id text not null,
  role_code text not null check (role_code in ('R8000', 'R8001', 'R8003', 'R8008', 'R8010', 'R8012', 'R8013', 'R0001')),
  practitioner_role_id text,
  created_at timestamptz not null default now(),
  unique (user_id, organization_id, role_code)
);

-- Accounts at an upstream identity provider (NHS CIS2, NHS login) linked to ours.
create table auth_identity (
  provider text not null,
  subject text not null,
  user_id text not null references auth_user (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_login_at timestamptz,
  primary key (provider, subject)
);

-- Registered system clients (SMART Backend Services); the web app and bootstrap client are static.
create table auth_client (
  client_id text primary key,
  description text,
  metadata jsonb not null,
  is_admin boolean not null default false,
  disabled boolean not null default false,
  created_at timestamptz not null default now()
);

-- Everything oidc-provider stores, by model name (Session, Interaction, Grant, AuthorizationCode, …).
create table auth_oidc (
  model text not null,
  id text not null,
  payload jsonb not null,
  grant_id text,
  user_code text,
  uid text,
  expires_at timestamptz,
  consumed_at timestamptz,
  primary key (model, id)
);
create index auth_oidc_grant_idx on auth_oidc (grant_id) where grant_id is not null;
create index auth_oidc_uid_idx on auth_oidc (uid) where uid is not null;
create index auth_oidc_user_code_idx on auth_oidc (user_code) where user_code is not null;
create index auth_oidc_expires_idx on auth_oidc (expires_at);

-- The role profile chosen at sign-in, per grant: every token from that grant carries it.
create table auth_grant_profile (
  grant_id text primary key,
  profile_id text not null references auth_role_profile (id) on delete cascade,
  created_at timestamptz not null default now()
);

-- Token signing keys, generated on first start; the newest unretired one signs.
create table auth_key (
  kid text primary key,
  alg text not null,
  private_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);

-- Per-IP request counters for the login form and token endpoint, shared by all instances.
create table auth_rate_limit (
  key text primary key,
  count integer not null,
  reset_at timestamptz not null
);

-- An authorization request sent to an upstream provider, and then its outcome.
create table auth_federation_state (
  state text primary key,
  provider text not null,
  interaction_uid text not null,
  code_verifier text not null,
  nonce text not null,
  result jsonb,
  expires_at timestamptz not null
);
`;
