import { useOutletContext } from 'react-router';
import type { WebModule } from '../modules/contract.ts';

/** What the layout hands every page (react-router's outlet context). */
export interface LayoutContext {
  modules: readonly WebModule[];
}

/**
 * The app's module list, for a page that lists the other modules' parts (the staff home page's cards)
 * without importing `modules/index.ts` (which imports every page module: a cycle).
 */
export function useAppModules(): readonly WebModule[] {
  return useOutletContext<LayoutContext>().modules;
}
