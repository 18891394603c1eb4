import type { WebModule } from '../contract.ts';

/**
 * The staff home page (`/home`): where `/` takes a member of staff, with the cards of their own work
 * that the other modules contribute (`WebModule.home`) for the role chosen at sign-in.
 */
export const home: WebModule = {
  name: 'home',
  title: 'Home',
  routes: [{ path: '/home', roles: ['staff'], page: () => import('./pages/Home.tsx') }],
  navigation: [{ label: 'Home', path: '/home', audience: 'staff' }],
};
