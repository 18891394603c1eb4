import type { WebModule } from '../contract.ts';

/** The demo's patient phone for the loopback text message gateway (docs/SMS.md). */
export const phone: WebModule = {
  name: 'phone',
  title: 'Phone simulator',
  routes: [{ path: '/phone', roles: ['staff'], page: () => import('./pages/PhoneSimulator.tsx') }],
  navigation: [{ label: 'Phone', path: '/phone', audience: 'staff' }],
};
