import { matchPath, type RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import { homeFor, navigationFor } from '../app/navigation.ts';
import { appRoutes } from '../app/routes.tsx';
import type { Session } from '../auth/session.ts';
import { AUDIENCE_ROLES, type Role } from './contract.ts';
import { MODULES } from './index.ts';

const staff: Session = { kind: 'staff', name: 'Dr Demo', mode: 'demo' };
const patient: Session = { kind: 'patient', name: 'Pat', mode: 'demo', patientId: 'p1' };
const carer: Session = { kind: 'related-person', name: 'Carol', mode: 'demo', relatedPersonIds: ['r1'] };
const actingCarer: Session = { ...carer, actingFor: { patientId: 'p1', relatedPersonId: 'r1', name: 'Pat' } };

function paths(routes: RouteObject[]): string[] {
  return routes.flatMap((route) => [...(route.path ? [route.path] : []), ...paths(route.children ?? [])]);
}

const moduleRoutes = MODULES.flatMap((module) => module.routes);

describe('the module list', () => {
  it('names each module once', () => {
    const names = MODULES.map((module) => module.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every path of the app (shell and modules) to one route only', () => {
    const all = paths(appRoutes(MODULES));
    expect(all.filter((path, i) => all.indexOf(path) !== i)).toEqual([]);
    expect(all).toEqual(expect.arrayContaining(['/sign-in', '/callback', '/find', '/patients/:id', '/my/who-can-see']));
  });

  it('keeps every address the app has had (bookmarks, e-mails and tests use them)', () => {
    for (const url of [
      '/find',
      '/patients/abc-123',
      '/patients/abc-123/timeline',
      '/patients/abc-123/trends',
      '/practice/repeat-requests',
      '/phone',
      '/choose-person',
      '/my',
      '/my/appointments',
      '/my/prescriptions',
      '/my/sharing',
      '/my/access-log',
      '/my/who-can-see',
      '/inbox',
      '/inbox/preferences',
      '/telehealth/enrol',
      '/telehealth/enrolments/abc-123',
      '/telehealth/protocols',
      '/telehealth/protocols/copd',
    ]) {
      expect(
        moduleRoutes.filter((route) => matchPath(route.path, url)),
        url,
      ).toHaveLength(1);
    }
  });

  it('links only to routes, and only for people the route lets in', () => {
    for (const module of MODULES) {
      for (const item of module.navigation) {
        const route = module.routes.find((r) => r.path === item.path);
        expect(route, `${module.name}: ${item.label}`).toBeDefined();
        const offeredTo = AUDIENCE_ROLES[item.audience].filter((role) => !item.roles || item.roles.includes(role));
        const refused = offeredTo.filter((role: Role) => route?.roles && !route.roles.includes(role));
        expect(refused, `${module.name}: ${item.label} is offered to people its page refuses`).toEqual([]);
      }
    }
  });
});

describe('navigationFor', () => {
  const labels = (session: Session | undefined): string[] => navigationFor(MODULES, session).map((item) => item.label);
  const portal = ['My record', 'Appointments', 'Prescriptions', 'Sharing', 'Who has looked', 'Who can see it'];

  it.each<[string, Session | undefined, string[]]>([
    ['nobody signed in', undefined, []],
    [
      'staff',
      staff,
      [
        'Find a patient',
        'Repeat requests',
        'Telehealth',
        'Practice texts',
        'Phone',
        'Inbox',
        'Care coordination',
        'Risk of admission',
      ],
    ],
    ['a patient', patient, [...portal, 'Inbox', 'Care profile']],
    ['a carer who has not chosen a person', carer, ['Choose who to act for', 'Inbox']],
    ['a carer acting for someone', actingCarer, [...portal, 'Inbox', 'Care profile']],
  ])('%s', (_who, session, expected) => {
    expect(labels(session)).toEqual(expected);
  });

  it('starts each person at their first link', () => {
    expect(homeFor(MODULES, undefined)).toBe('/sign-in');
    expect(homeFor(MODULES, staff)).toBe('/find');
    expect(homeFor(MODULES, patient)).toBe('/my');
    expect(homeFor(MODULES, carer)).toBe('/choose-person');
  });
});
