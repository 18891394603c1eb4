import type { ComponentType } from 'react';
import type { Session } from '../auth/session.ts';

/** Who is signed in, as pages and links are offered to them: the session's kind. */
export type Role = Session['kind'];

/** Which header a link belongs in: staff, the portal of patients and their carers, or administration. */
export type Audience = 'staff' | 'patient' | 'admin';

/** The roles of each audience (a carer uses the patient portal for the person they act for). */
export const AUDIENCE_ROLES: Record<Audience, readonly Role[]> = {
  staff: ['staff'],
  patient: ['patient', 'related-person'],
  admin: ['admin'],
};

/** A page module as `import()` returns it: loaded when the page is first opened, not with the app. */
export type LazyPage = () => Promise<{ default: ComponentType }>;

export interface ModuleRoute {
  /** A React Router path, such as `/patients/:id/timeline`. */
  path: string;
  page: LazyPage;
  /** Who may open it; anyone signed in when absent. Others are told they cannot use the page. */
  roles?: readonly Role[];
}

export interface ModuleNavItem {
  label: string;
  path: string;
  audience: Audience;
  /** Narrows the audience (for example only carers). */
  roles?: readonly Role[];
  /**
   * For portal links: shown only once there is a person to show (`chosen`: a patient, or a carer
   * acting for someone), or only before a carer has chosen (`not-chosen`). Absent: always.
   */
  person?: 'chosen' | 'not-chosen';
  /** Draws the link's text when it carries live state (an unread count); `label` is used otherwise. */
  Label?: ComponentType<{ label: string }>;
  /**
   * Staff only: the national RBAC roles (R8000, R8001…) whose work this is, as chosen at sign-in.
   * Absent: every member of staff. Links are work, not permission: the server still decides.
   */
  roleCodes?: readonly string[];
}

/** A card on a member of staff's home page: a piece of their work, with a count when it has one. */
export interface HomeCard {
  /** The staff RBAC roles it is work for (as `ModuleNavItem.roleCodes`); every member of staff when absent. */
  roleCodes?: readonly string[];
  /** Loaded when the home page is first shown; renders nothing when it has nothing to offer. */
  card: () => Promise<{ default: ComponentType }>;
}

/**
 * One capability of the web app: its pages and its header links. The app's routes and header are
 * built from the list in `modules/index.ts`, so a new module touches only its folder and that list.
 */
export interface WebModule {
  name: string;
  title: string;
  routes: readonly ModuleRoute[];
  navigation: readonly ModuleNavItem[];
  /** Cards for staff home pages, in module order. */
  home?: readonly HomeCard[];
}
