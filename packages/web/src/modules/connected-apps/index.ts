import type { WebModule } from '../contract.ts';

/**
 * Connected apps (docs/AUTH.md, "Third-party SMART apps"): the apps a person has allowed to use
 * their record, what each may do in plain words, and a button that stops one. Open to everyone
 * signed in (staff may allow apps too). No header link yet (the header's links are fixed by
 * modules.test.ts): the consent screen names the page, and it is at /connected-apps.
 */
export const connectedApps: WebModule = {
  name: 'connected-apps',
  title: 'Connected apps',
  routes: [{ path: '/connected-apps', page: () => import('./pages/ConnectedApps.tsx') }],
  navigation: [],
};
