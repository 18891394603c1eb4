import { CLINICIANS, COMMISSIONERS, NURSES } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;
const RISK = [...CLINICIANS, ...NURSES, ...COMMISSIONERS] as const;

/**
 * Population health (docs/RISK-MODEL.md, "Lists"), for staff: the risk of emergency admission list
 * (identifiable for staff with a relationship; pseudonymised for commissioners), its CSV, a
 * patient's latest score, and each person's own case list. Not offered to patients or carers.
 */
export const populationHealth: WebModule = {
  name: 'population-health',
  title: 'Population health',
  routes: [
    { path: '/population-health', roles: STAFF, page: () => import('./pages/RiskList.tsx') },
    { path: '/population-health/case-list', roles: STAFF, page: () => import('./pages/CaseList.tsx') },
    { path: '/population-health/patients/:id', roles: STAFF, page: () => import('./pages/PatientRisk.tsx') },
  ],
  navigation: [{ label: 'Risk of admission', path: '/population-health', audience: 'staff', roleCodes: RISK }],
  home: [{ roleCodes: RISK, card: () => import('./HomeCard.tsx') }],
};
