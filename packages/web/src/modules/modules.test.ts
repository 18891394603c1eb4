import { matchPath, type RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import { homeCardsFor, homeFor, navigationFor } from '../app/navigation.ts';
import { appRoutes } from '../app/routes.tsx';
import type { Session } from '../auth/session.ts';
import { AUDIENCE_ROLES, type Role } from './contract.ts';
import { MODULES } from './index.ts';

const staff: Session = { kind: 'staff', name: 'Dr Demo', mode: 'demo' };
const patient: Session = { kind: 'patient', name: 'Pat', mode: 'demo', patientId: 'p1' };
const carer: Session = { kind: 'related-person', name: 'Carol', mode: 'demo', relatedPersonIds: ['r1'] };
const actingCarer: Session = { ...carer, actingFor: { patientId: 'p1', relatedPersonId: 'r1', name: 'Pat' } };
const admin: Session = { kind: 'admin', name: 'CareWeave administrator', mode: 'oidc' };

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
  const portal = [
    'My record',
    'Appointments',
    'Referrals',
    'Prescriptions',
    'Sharing',
    'Who has looked',
    'Who can see it',
    'Messages',
  ];

  it.each<[string, Session | undefined, string[]]>([
    ['nobody signed in', undefined, []],
    [
      'staff',
      staff,
      [
        'Home',
        'Find a patient',
        'Repeat requests',
        'Patient messages',
        'Inbox',
        'Telehealth',
        'Practice texts',
        'Phone',
        'Care coordination',
        'Risk of admission',
        'Advice and guidance',
        'Referrals',
        'Referral analytics',
        'Access reviews',
      ],
    ],
    ['a patient', patient, [...portal, 'Inbox', 'Care profile']],
    ['a carer who has not chosen a person', carer, ['Choose who to act for', 'Inbox']],
    ['a carer acting for someone', actingCarer, [...portal, 'Inbox', 'Care profile']],
    // No one in the record: only the administration pages, none of the staff work.
    ['an administrator', admin, ['Home', 'Users', 'Organisations', 'Apps and systems']],
  ])('%s', (_who, session, expected) => {
    expect(labels(session)).toEqual(expected);
  });

  it('starts each person at their first link', () => {
    expect(homeFor(MODULES, undefined)).toBe('/sign-in');
    expect(homeFor(MODULES, staff)).toBe('/home');
    expect(homeFor(MODULES, patient)).toBe('/my');
    expect(homeFor(MODULES, carer)).toBe('/choose-person');
    expect(homeFor(MODULES, admin)).toBe('/admin');
    expect(homeCardsFor(MODULES, admin)).toEqual([]);
  });
});

describe('staff work by the role chosen at sign-in', () => {
  const as = (roleCode: string): Session => ({ ...staff, roleCode });
  const labels = (roleCode: string): string[] => navigationFor(MODULES, as(roleCode)).map((item) => item.label);
  const cards = (roleCode: string): number => homeCardsFor(MODULES, as(roleCode)).length;

  it('gives a district nurse no repeat-prescription queue and a receptionist no clinical lists', () => {
    expect(labels('R8001')).toEqual(
      expect.arrayContaining(['Home', 'Find a patient', 'Telehealth', 'Care coordination']),
    );
    expect(labels('R8001')).not.toContain('Repeat requests');
    expect(labels('R8010')).toEqual(expect.arrayContaining(['Find a patient', 'Repeat requests', 'Practice texts']));
    expect(labels('R8010')).not.toEqual(expect.arrayContaining(['Telehealth']));
    expect(labels('R8010')).not.toContain('Risk of admission');
  });

  it('gives the privacy officer access reviews, and the commissioner no patient search', () => {
    expect(labels('R0001')).toContain('Access reviews');
    expect(labels('R0001')).not.toContain('Repeat requests');
    expect(labels('R8012')).not.toContain('Find a patient');
    expect(labels('R8012')).toContain('Risk of admission');
    for (const role of ['R8000', 'R8001', 'R8003', 'R8010', 'R8012']) {
      expect(labels(role), role).not.toContain('Access reviews');
    }
  });

  it('sends every member of staff to their home page, with at least one card of work', () => {
    for (const role of ['R8000', 'R8001', 'R8003', 'R8008', 'R8010', 'R8012', 'R0001']) {
      expect(homeFor(MODULES, as(role)), role).toBe('/home');
      expect(cards(role), role).toBeGreaterThan(0);
    }
    expect(homeCardsFor(MODULES, patient)).toEqual([]);
  });
});
