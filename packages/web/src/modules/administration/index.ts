import type { WebModule } from '../contract.ts';

const ADMIN_ONLY = ['admin'] as const;

/**
 * Administration (docs/AUTH.md, "Accounts"): the administrator's own pages over the admin API —
 * user accounts and their roles, organisations, third-party SMART apps and system clients. An
 * administrator is no one in the record, so these are the only pages offered to them.
 */
export const administration: WebModule = {
  name: 'administration',
  title: 'Administration',
  routes: [
    { path: '/admin', roles: ADMIN_ONLY, page: () => import('./pages/AdminHome.tsx') },
    { path: '/admin/users', roles: ADMIN_ONLY, page: () => import('./pages/Users.tsx') },
    { path: '/admin/users/new', roles: ADMIN_ONLY, page: () => import('./pages/NewUser.tsx') },
    { path: '/admin/users/:username', roles: ADMIN_ONLY, page: () => import('./pages/User.tsx') },
    { path: '/admin/organisations', roles: ADMIN_ONLY, page: () => import('./pages/Organisations.tsx') },
    { path: '/admin/apps', roles: ADMIN_ONLY, page: () => import('./pages/Apps.tsx') },
  ],
  navigation: [
    { label: 'Home', path: '/admin', audience: 'admin' },
    { label: 'Users', path: '/admin/users', audience: 'admin' },
    { label: 'Organisations', path: '/admin/organisations', audience: 'admin' },
    { label: 'Apps and systems', path: '/admin/apps', audience: 'admin' },
  ],
};
