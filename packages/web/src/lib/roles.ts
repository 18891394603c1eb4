/**
 * NHS national RBAC role codes as people say them (the server's list: packages/server/src/auth/store.ts
 * ROLE_CODES). Used wherever staff are named to a patient or a colleague: "Dr A Smith (Nurse), …".
 */
export const RBAC_ROLE_NAMES: Readonly<Record<string, string>> = {
  R8000: 'Clinical practitioner',
  R8001: 'Nurse',
  R8003: 'Health professional',
  R8008: 'Admin and clinical support',
  R8010: 'Clerical',
  R8012: 'Information officer',
  R8013: 'Health records manager',
  R0001: 'Privacy officer',
};

export const roleName = (code: string | undefined): string | undefined =>
  code ? (RBAC_ROLE_NAMES[code] ?? code) : undefined;
