import type { WebModule } from '../contract.ts';
import { InboxLabel } from './InboxLabel.tsx';

/** Notifications for staff, patients and carers: the inbox, and how and when each kind is sent. */
export const inbox: WebModule = {
  name: 'inbox',
  title: 'Notifications',
  routes: [
    { path: '/inbox', page: () => import('./pages/Inbox.tsx') },
    { path: '/inbox/preferences', page: () => import('./pages/Preferences.tsx') },
  ],
  navigation: [
    { label: 'Inbox', path: '/inbox', audience: 'staff', Label: InboxLabel },
    { label: 'Inbox', path: '/inbox', audience: 'patient', Label: InboxLabel },
  ],
  home: [{ card: () => import('./HomeCard.tsx') }],
};
