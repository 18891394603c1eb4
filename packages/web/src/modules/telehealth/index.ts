import { CLINICIANS, NURSES } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;
const TELEHEALTH = [...CLINICIANS, ...NURSES] as const;

/**
 * Telehealth by text message (docs/TELEHEALTH.md), for staff: the team dashboard (patients red first,
 * the alert inbox, a patient's trends and the summary filed in the record), enrolling a patient on a
 * protocol and managing the enrolment (a FHIR CarePlan), and the protocol library with its reply preview and editor (a new version, reviewed for enrolled patients).
 */
export const telehealth: WebModule = {
  name: 'telehealth',
  title: 'Telehealth by text message',
  routes: [
    { path: '/telehealth', roles: STAFF, page: () => import('./pages/Dashboard.tsx') },
    { path: '/telehealth/alerts', roles: STAFF, page: () => import('./pages/Alerts.tsx') },
    { path: '/telehealth/patients/:id', roles: STAFF, page: () => import('./pages/TelehealthPatient.tsx') },
    { path: '/telehealth/enrol', roles: STAFF, page: () => import('./pages/Enrol.tsx') },
    { path: '/telehealth/enrolments/:carePlanId', roles: STAFF, page: () => import('./pages/ManageEnrolment.tsx') },
    { path: '/telehealth/protocols', roles: STAFF, page: () => import('./pages/ProtocolList.tsx') },
    { path: '/telehealth/protocols/:id', roles: STAFF, page: () => import('./pages/ProtocolPage.tsx') },
    // Any staff may open it; only clinicians and nurses (R8000, R8001) get the form, as the server allows.
    { path: '/telehealth/protocols/:id/edit', roles: STAFF, page: () => import('./pages/ProtocolEdit.tsx') },
  ],
  // The dashboard is the module's start page; the protocol library and enrolment are linked from it.
  navigation: [{ label: 'Telehealth', path: '/telehealth', audience: 'staff', roleCodes: TELEHEALTH }],
  home: [{ roleCodes: TELEHEALTH, card: () => import('./HomeCard.tsx') }],
};
