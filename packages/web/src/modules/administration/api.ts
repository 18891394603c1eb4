import { api } from '../../api/client.ts';
import { roleName } from '../../lib/roles.ts';

/**
 * The admin API (`/api/admin`, docs/AUTH.md): accounts, organisations, SMART apps and system
 * clients. The server lets only administrator accounts in; these are its answers as the pages use them.
 */
export interface AdminUser {
  id: string;
  username: string;
  email?: string;
  displayName?: string;
  /** Who the account is in the record: `Practitioner/…`, `Patient/…`, `RelatedPerson/…`. */
  fhirUser?: string;
  nhsNumber?: string;
  admin: boolean;
  status: 'active' | 'disabled' | 'locked';
  lockedUntil?: string;
  passwordSet: boolean;
  roles: { id: string; organization: string; role: string; practitionerRole?: string }[];
}

export interface AdminOrganisation {
  id: string;
  ods?: string;
  name?: string;
  type?: string;
}

export interface AdminApp {
  clientId: string;
  name: string;
  authentication: string;
  redirectUris: string[];
  scopes: string;
  disabled: boolean;
  registeredBy: 'admin' | 'dynamic';
  createdAt: string;
}

export interface AdminClient {
  clientId: string;
  description?: string;
  authentication: string;
  scopes: string;
  purpose: string;
  admin: boolean;
  disabled: boolean;
  createdAt: string;
}

/** What kind of account this is, in words: whose record it opens, or administration. */
export type AccountKind = 'Staff' | 'Patient' | 'Carer' | 'Administrator' | 'Not linked';

export const ACCOUNT_KINDS: readonly AccountKind[] = ['Staff', 'Patient', 'Carer', 'Administrator', 'Not linked'];

export function accountKind(user: Pick<AdminUser, 'fhirUser' | 'admin'>): AccountKind {
  const type = user.fhirUser?.split('/')[0];
  if (type === 'Practitioner') {
    return 'Staff';
  }
  if (type === 'Patient') {
    return 'Patient';
  }
  if (type === 'RelatedPerson') {
    return 'Carer';
  }
  return user.admin ? 'Administrator' : 'Not linked';
}

/** "Nurse at Riverside Surgery", for each of a member of staff's role profiles. */
export function roleLines(
  user: Pick<AdminUser, 'roles'>,
  organisations: ReadonlyMap<string, AdminOrganisation>,
): string[] {
  return user.roles.map(
    (r) => `${roleName(r.role) ?? r.role} at ${organisations.get(r.organization)?.name ?? r.organization}`,
  );
}

export interface UserFilter {
  text: string;
  kind: AccountKind | '';
  /** `locked`: locked by an administrator or, for now, after failed sign-ins. */
  status: 'active' | 'locked' | '';
}

/** The users matching the filter (name, username, e-mail or NHS number; kind; status), by name. */
export function filterUsers(users: readonly AdminUser[], filter: UserFilter): AdminUser[] {
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return users
    .filter((u) => {
      const haystack = [u.displayName, u.username, u.email, u.nhsNumber].filter(Boolean).join(' ').toLowerCase();
      return (
        words.every((w) => haystack.includes(w)) &&
        (!filter.kind || accountKind(u) === filter.kind) &&
        (!filter.status || (filter.status === 'active') === (u.status === 'active'))
      );
    })
    .sort((a, b) => (a.displayName ?? a.username).localeCompare(b.displayName ?? b.username));
}

export const byId = <T extends { id: string }>(rows: readonly T[]): Map<string, T> =>
  new Map(rows.map((row) => [row.id, row]));

const ADMIN = '/api/admin';
const post = <T>(path: string, body: unknown = {}): Promise<T> => api<T>(`${ADMIN}${path}`, { method: 'POST', body });

export const listUsers = (): Promise<AdminUser[]> => api<AdminUser[]>(`${ADMIN}/users`);
export const listOrganisations = (): Promise<AdminOrganisation[]> => api<AdminOrganisation[]>(`${ADMIN}/organizations`);
export const listApps = (): Promise<AdminApp[]> => api<AdminApp[]>(`${ADMIN}/apps`);
export const listClients = (): Promise<AdminClient[]> => api<AdminClient[]>(`${ADMIN}/clients`);

export interface NewUser {
  username: string;
  displayName?: string;
  email?: string;
  practitioner?: string;
  nhsNumber?: string;
  relatedPerson?: string;
  admin?: boolean;
  generatePassword: boolean;
}

export const createUser = (input: NewUser): Promise<{ user: AdminUser; password?: string }> => post('/users', input);

export const createOrganisation = (input: {
  name: string;
  ods: string;
  type: string;
  partOf?: string;
}): Promise<AdminOrganisation> => post('/organizations', input);

const userPath = (username: string) => `/users/${encodeURIComponent(username)}`;

export const addRole = (username: string, input: { organization: string; role: string }): Promise<AdminUser> =>
  post(`${userPath(username)}/roles`, input);
export const lockUser = (username: string): Promise<AdminUser> => post(`${userPath(username)}/lock`);
export const unlockUser = (username: string): Promise<AdminUser> => post(`${userPath(username)}/unlock`);
/** A new password made by the server, shown once. */
export const newPassword = (username: string): Promise<{ user: AdminUser; password?: string }> =>
  post(`${userPath(username)}/password`);

/** Organisation types as the admin API takes them (server access/actor.ts ORGANISATION_TYPES), in words. */
export const ORGANISATION_TYPES: readonly { code: string; label: string }[] = [
  { code: 'gp-practice', label: 'GP practice' },
  { code: 'acute-trust', label: 'Hospital (acute trust)' },
  { code: 'community', label: 'Community services' },
  { code: 'mental-health', label: 'Mental health' },
  { code: 'social-care', label: 'Social care' },
  { code: 'ambulance', label: 'Ambulance service' },
  { code: 'voluntary-sector', label: 'Voluntary sector' },
  { code: 'commissioner', label: 'Commissioner' },
  { code: 'care-home', label: 'Care home' },
  { code: 'non-nhs-app', label: 'Non-NHS app provider' },
];

export const organisationTypeName = (code: string | undefined): string =>
  ORGANISATION_TYPES.find((t) => t.code === code)?.label ?? code ?? 'Not given';
