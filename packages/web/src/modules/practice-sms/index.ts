import { CLERICAL, CLINICIANS, NURSES } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

/** Practice text messages for practice staff: the two-way inbox, reminders, recalls and templates. */
const PRACTICE_TEAM = [...CLINICIANS, ...NURSES, ...CLERICAL] as const;

export const practiceSms: WebModule = {
  name: 'practice-sms',
  title: 'Practice texts',
  routes: [
    { path: '/practice-sms', roles: ['staff'], page: () => import('./pages/Messages.tsx') },
    { path: '/practice-sms/conversations/:phone', roles: ['staff'], page: () => import('./pages/Conversation.tsx') },
    { path: '/practice-sms/reminders', roles: ['staff'], page: () => import('./pages/Reminders.tsx') },
    { path: '/practice-sms/recalls', roles: ['staff'], page: () => import('./pages/Recalls.tsx') },
    { path: '/practice-sms/results', roles: ['staff'], page: () => import('./pages/PatientTexts.tsx') },
    { path: '/practice-sms/templates', roles: ['staff'], page: () => import('./pages/Templates.tsx') },
  ],
  navigation: [{ label: 'Practice texts', path: '/practice-sms', audience: 'staff', roleCodes: PRACTICE_TEAM }],
  home: [{ roleCodes: PRACTICE_TEAM, card: () => import('./HomeCard.tsx') }],
};
