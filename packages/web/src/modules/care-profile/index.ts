import { AUDIENCE_ROLES, type WebModule } from '../contract.ts';
import { portalPage } from '../portal/patient.tsx';

const STAFF = ['staff'] as const;

/**
 * The core personal profile (docs/CARE-PROFILE.md): for staff, a patient's profile (linked from the
 * patient record) with what clinicians record for it and the patient's suggested corrections; for
 * the patient, their profile in the portal and a way to suggest a correction. Both print on one page.
 */
export const careProfile: WebModule = {
  name: 'care-profile',
  title: 'Core personal profile',
  routes: [
    { path: '/patients/:id/care-profile', roles: STAFF, page: () => import('./pages/StaffProfile.tsx') },
    {
      path: '/my/care-profile',
      roles: AUDIENCE_ROLES.patient,
      page: portalPage(() => import('./pages/MyProfile.tsx')),
    },
  ],
  navigation: [{ label: 'Care profile', path: '/my/care-profile', audience: 'patient', person: 'chosen' }],
};
