/**
 * Which staff do which work, by national RBAC role (as chosen at sign-in): the header's links and the
 * home page's cards follow these. They are about whose work it is; what anyone may see is decided by
 * the server's access rules, not here.
 */
export const CLINICIANS = ['R8000'] as const;
export const NURSES = ['R8001'] as const;
/** Allied and social care professionals, coordinators, paramedics, triagers (R8003). */
export const PROFESSIONALS = ['R8003'] as const;
export const CLERICAL = ['R8008', 'R8010'] as const;
export const PRIVACY_OFFICERS = ['R0001'] as const;
/** Commissioners and analysts (R8012 information officer): aggregate and pseudonymised views only. */
export const COMMISSIONERS = ['R8012'] as const;

/** Everyone who looks after patients directly or books their care: finding a patient is their work. */
export const PATIENT_FACING = [...CLINICIANS, ...NURSES, ...PROFESSIONALS, ...CLERICAL, 'R8013'] as const;
