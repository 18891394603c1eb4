/**
 * Data that is not about one patient (issue 9; docs/ACCESS.md, *Directory data* and *Owned data*),
 * attacked over HTTP by users with valid accounts. Owned data: a GP's worklist and cohort, shared
 * with a team and an organisation, tried by a colleague it was not shared with, another
 * organisation's staff, a patient on the list and their carer, through every search path. The
 * directory: what patients and carers may read of it. Runs on PGlite and PostgreSQL.
 */
import type { AuditEvent, Bundle, List, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type FhirResponse, type TestApp } from '../testing/app.ts';
import type { StaffActor } from './actor.ts';
import { SHARED_WITH_EXTENSION } from './categories.ts';
import { actorClient, type Method, type UserActor } from './testing/actor-client.ts';
import { ACTORS, loadScenario } from './testing/scenario.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const as = (actor: UserActor, method: Method, path: string, body?: unknown, headers?: Record<string, string>) =>
  client.as(actor, method, path, body, headers);

const { gp, nurse, acute, mhNurse, careHome, patient1, carer } = ACTORS;
/** A GP at the same practice, with whom nothing was shared. */
const colleague: StaffActor = { ...gp, userId: 'user-gp-colleague', practitionerId: 'pr-gp-colleague' };

const shared = (reference: string) => ({ url: SHARED_WITH_EXTENSION, valueReference: { reference } });
const item = (patient: string) => ({ item: { reference: `Patient/${patient}` } });

/** The GP's worklist of p1 and p2, shared with the frailty team (the acute doctor) and the mental health trust. */
const WORKLIST: List = {
  resourceType: 'List',
  id: 'wl-gp',
  meta: { source: 'Organization/org-gp' },
  extension: [shared('CareTeam/team-frailty'), shared('Organization/org-mh')],
  status: 'current',
  mode: 'working',
  title: 'Falls risk: review this week',
  source: { reference: `Practitioner/${gp.practitionerId}` },
  entry: [item('p1'), item('p2')],
};

/** A worklist of p1 only, shared with the community nurse (who cares for p1). */
const NURSE_LIST: List = {
  resourceType: 'List',
  id: 'wl-nurse',
  meta: { source: 'Organization/org-gp' },
  extension: [shared(`Practitioner/${nurse.practitionerId}`)],
  status: 'current',
  mode: 'working',
  title: 'Home visits',
  source: { reference: `Practitioner/${gp.practitionerId}` },
  entry: [item('p1')],
};

const entries = (response: FhirResponse): Resource[] =>
  ((response.body as Bundle).entry ?? []).map((e) => e.resource!).filter(Boolean);
const keys = (response: FhirResponse): string[] => entries(response).map((r) => `${r.resourceType}/${r.id}`);

/** Everyone the worklist is hidden from: another practice colleague, other organisations, the patient and carer. */
const STRANGERS: [string, UserActor][] = [
  ['a colleague it was not shared with', colleague],
  ['staff of another organisation', nurse],
  ['a care home', careHome],
  ['a patient on the list', patient1],
  ["that patient's carer", carer],
];

async function refusalsIn(patientId: string, practitionerId: string): Promise<AuditEvent[]> {
  const log = await t.fhir('GET', `Patient/${patientId}/$access-log?_count=1000`);
  return ((log.body as Bundle).entry ?? [])
    .map((e) => e.resource as AuditEvent)
    .filter((e) => e.outcome === '4' && e.agent?.some((a) => a.who?.reference === `Practitioner/${practitionerId}`));
}

beforeAll(async () => {
  t = await createTestApp();
  client = actorClient(t);
  await loadScenario(t.platform.db, t.fhirBase);
  const system = t.platform.resources;
  await system.writeMany(
    [
      { resourceType: 'Practitioner', id: colleague.practitionerId, active: true },
      {
        resourceType: 'CareTeam',
        id: 'team-frailty',
        status: 'active',
        name: 'Frailty MDT',
        participant: [{ member: { reference: `Practitioner/${acute.practitionerId}` } }],
      },
      structuredClone(WORKLIST),
      structuredClone(NURSE_LIST),
      {
        resourceType: 'Group',
        id: 'g-owned',
        meta: { source: 'Organization/org-gp' },
        type: 'person',
        actual: true,
        name: 'Severe frailty',
        managingEntity: { reference: `Practitioner/${gp.practitionerId}` },
        member: [{ entity: { reference: 'Patient/p1' } }, { entity: { reference: 'Patient/p2' } }],
      },
      {
        resourceType: 'Endpoint',
        id: 'ep-gp',
        status: 'active',
        connectionType: {
          system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
          code: 'hl7-fhir-rest',
        },
        payloadType: [{ text: 'FHIR' }],
        address: 'https://gp.example/fhir',
        managingOrganization: { reference: 'Organization/org-gp' },
      },
      {
        resourceType: 'Schedule',
        id: 'sched-gp',
        meta: { source: 'Organization/org-gp' },
        active: true,
        actor: [{ reference: `Practitioner/${gp.practitionerId}` }],
      },
      {
        resourceType: 'Slot',
        id: 'slot-free',
        schedule: { reference: 'Schedule/sched-gp' },
        status: 'free',
        start: '2030-01-07T09:00:00Z',
        end: '2030-01-07T09:10:00Z',
      },
      {
        resourceType: 'Slot',
        id: 'slot-busy',
        schedule: { reference: 'Schedule/sched-gp' },
        status: 'busy',
        start: '2030-01-07T09:10:00Z',
        end: '2030-01-07T09:20:00Z',
      },
    ].map((resource) => ({ resource: resource as Resource, method: 'update' as const })),
  );
});

afterAll(async () => {
  await t?.close();
});

describe('owned data: only its owners and whom they share it with', () => {
  it('the owner, a member of the team and the organisation it is shared with read it', async () => {
    for (const actor of [gp, acute, mhNurse]) {
      expect((await as(actor, 'GET', 'List/wl-gp')).status, actor.userId).toBe(200);
      expect(keys(await as(actor, 'GET', 'List?item=Patient/p1&_count=100')), actor.userId).toContain('List/wl-gp');
    }
    expect((await as(gp, 'GET', 'Group/g-owned')).status).toBe(200);
  });

  it.each(STRANGERS)('%s: 404 by id, vread and history, as for an id that does not exist', async (_who, actor) => {
    for (const path of ['List/wl-gp', 'Group/g-owned', 'List/wl-gp/_history/1', 'Group/g-owned/_history/1']) {
      const hidden = await as(actor, 'GET', path);
      const absent = await as(actor, 'GET', path.replace(/(wl-gp|g-owned)/, 'no-such-id'));
      expect(hidden.status, `${actor.userId} ${path}`).toBe(404);
      expect(hidden.status).toBe(absent.status);
    }
    for (const path of ['List/wl-gp/_history', 'List/_history', 'Group/_history', '_history']) {
      const response = await as(actor, 'GET', path);
      expect(keys(response), `${actor.userId} ${path}`).not.toContain('List/wl-gp');
      expect(keys(response), `${actor.userId} ${path}`).not.toContain('Group/g-owned');
    }
  });

  it.each(STRANGERS)('%s: no search path finds it or counts it', async (_who, actor) => {
    const searches = [
      'List?item=Patient/p1&_total=accurate',
      'List?_id=wl-gp&_total=accurate',
      'Group?member=Patient/p1&_total=accurate',
      'Group?member:Patient.name=One&_total=accurate',
      'List?item:Patient.name=One&_total=accurate',
      'Group?_sort=-_lastUpdated&_total=accurate',
      'List?_sort=title&_total=accurate',
    ];
    for (const search of searches) {
      const response = await as(actor, 'GET', search);
      expect(response.status, search).toBe(200);
      const found = keys(response);
      expect(found, `${actor.userId} ${search}`).not.toContain('List/wl-gp');
      expect(found, `${actor.userId} ${search}`).not.toContain('Group/g-owned');
      // The total counts only what they may see (here: at most a list shared with them).
      expect((response.body as Bundle).total, `${actor.userId} ${search}`).toBe(found.length);
    }
    for (const type of ['List', 'Group']) {
      const all = keys(await as(actor, 'GET', `${type}?_count=1000`));
      const count = await as(actor, 'GET', `${type}?_summary=count`);
      expect((count.body as Bundle).total, `${actor.userId} ${type} count`).toBe(all.length);
      expect(all).not.toContain('List/wl-gp');
      expect(all).not.toContain('Group/g-owned');
    }
  });

  it('_has and _revinclude cannot tell a stranger who is on the list', async () => {
    // The community nurse may see p1, and p1 is on both: the joins must still not find the lists.
    for (const actor of [nurse, colleague, patient1]) {
      for (const has of ['_has:Group:member:_id=g-owned', '_has:List:item:_id=wl-gp']) {
        expect(keys(await as(actor, 'GET', `Patient?${has}`)), `${actor.userId} ${has}`).toEqual([]);
      }
      for (const revinclude of ['Group:member', 'List:item']) {
        const found = keys(await as(actor, 'GET', `Patient?_id=p1&_revinclude=${revinclude}`));
        expect(found, `${actor.userId} ${revinclude}`).not.toContain('List/wl-gp');
        expect(found, `${actor.userId} ${revinclude}`).not.toContain('Group/g-owned');
      }
    }
    // The owner's joins do find them.
    expect(keys(await as(gp, 'GET', 'Patient?_has:Group:member:_id=g-owned'))).toEqual(
      expect.arrayContaining(['Patient/p1', 'Patient/p2']),
    );
    const revincluded = keys(await as(gp, 'GET', 'Patient?_id=p1&_revinclude=List:item&_revinclude=Group:member'));
    expect(revincluded).toEqual(expect.arrayContaining(['List/wl-gp', 'Group/g-owned']));
    // An include from the list reaches only what the reader may see.
    const included = keys(await as(mhNurse, 'GET', 'List?_id=wl-gp&_include=List:item'));
    expect(included).toContain('List/wl-gp');
    expect(included).not.toContain('Patient/p2');
  });

  it('a colleague cannot change or delete it, not even by a conditional update; each refusal is audited', async () => {
    const before = (await refusalsIn('p1', colleague.practitionerId)).length;
    const changed = { ...WORKLIST, title: 'Taken over' };
    expect((await as(colleague, 'PUT', 'List/wl-gp', changed)).status).toBe(404);
    expect((await as(colleague, 'DELETE', 'List/wl-gp')).status).toBe(404);
    const conditional = await as(colleague, 'PUT', 'List?_id=wl-gp', { ...changed, id: undefined });
    expect([201, 403]).toContain(conditional.status); // never the hidden list
    const stored = await t.platform.resources.read('List', 'wl-gp');
    expect((JSON.parse(stored.json!) as List).title).toBe(WORKLIST.title);
    expect((await refusalsIn('p1', colleague.practitionerId)).length).toBeGreaterThan(before);
  });

  it('whom it is shared with edits its content, but never its owner or shares, and never deletes it', async () => {
    const current = (await as(nurse, 'GET', 'List/wl-nurse')).body as List;
    expect((await as(nurse, 'PUT', 'List/wl-nurse', { ...current, title: 'Home visits: Tuesday' })).status).toBe(200);
    const latest = (await as(nurse, 'GET', 'List/wl-nurse')).body as List;
    const widened = { ...latest, extension: [...latest.extension!, shared('Organization/org-ch')] };
    expect((await as(nurse, 'PUT', 'List/wl-nurse', widened)).status).toBe(403);
    const takenOver = { ...latest, source: { reference: `Practitioner/${nurse.practitionerId}` } };
    expect((await as(nurse, 'PUT', 'List/wl-nurse', takenOver)).status).toBe(403);
    expect((await as(nurse, 'DELETE', 'List/wl-nurse')).status).toBe(403);
    expect((await as(careHome, 'GET', 'List/wl-nurse')).status).toBe(404);
  });

  it('the owner shares their own list with someone new, who then sees it', async () => {
    expect((await as(careHome, 'GET', 'List/wl-nurse')).status).toBe(404);
    const latest = (await as(gp, 'GET', 'List/wl-nurse')).body as List;
    const widened = { ...latest, extension: [...latest.extension!, shared(`Practitioner/${careHome.practitionerId}`)] };
    expect((await as(gp, 'PUT', 'List/wl-nurse', widened)).status).toBe(200);
    expect((await as(careHome, 'GET', 'List/wl-nurse')).status).toBe(200);
  });

  it('staff create only what they own; a list naming no owner is their organisation’s', async () => {
    const someoneElses = { ...NURSE_LIST, id: undefined, extension: undefined };
    expect((await as(colleague, 'POST', 'List', someoneElses)).status).toBe(403);
    const own = { ...someoneElses, source: undefined, title: 'Practice list' };
    const created = await as(colleague, 'POST', 'List', own);
    expect(created.status).toBe(201);
    const id = (created.body as List).id!;
    expect((await as(gp, 'GET', `List/${id}`)).status).toBe(200); // a practice colleague
    expect((await as(nurse, 'GET', `List/${id}`)).status).toBe(404);
  });

  it('a list about one patient is that patient’s record, not owned data', async () => {
    const about = await t.platform.resources.update('List', 'p1-list', {
      resourceType: 'List',
      id: 'p1-list',
      meta: { source: 'Organization/org-gp' },
      status: 'current',
      mode: 'working',
      subject: { reference: 'Patient/p1' },
      source: { reference: `Practitioner/${gp.practitionerId}` },
    });
    expect(about.resource.id).toBe('p1-list');
    expect((await as(patient1, 'GET', 'List/p1-list')).status).toBe(200);
    expect((await as(colleague, 'GET', 'List/p1-list')).status).toBe(200); // p1's practice, a relationship
  });
});

describe('directory data: staff read it all, patients and carers the public directory', () => {
  it('patients and carers read the practice, its clinicians, active schedules and free slots', async () => {
    for (const actor of [patient1, carer]) {
      for (const path of [
        'Organization/org-gp',
        `Practitioner/${gp.practitionerId}`,
        'Schedule/sched-gp',
        'Slot/slot-free',
      ]) {
        expect((await as(actor, 'GET', path)).status, `${actor.userId} ${path}`).toBe(200);
      }
      const free = keys(await as(actor, 'GET', 'Slot?schedule=Schedule/sched-gp&_count=100'));
      expect(free).toEqual(['Slot/slot-free']);
    }
  });

  it('but not busy slots (who is booked when) or technical endpoints, which look absent', async () => {
    for (const actor of [patient1, carer]) {
      for (const path of ['Slot/slot-busy', 'Endpoint/ep-gp']) {
        expect((await as(actor, 'GET', path)).status, `${actor.userId} ${path}`).toBe(404);
      }
      expect((await as(actor, 'GET', 'Slot?status=busy&_total=accurate')).body).toMatchObject({ total: 0 });
      expect((await as(actor, 'GET', 'Endpoint?_summary=count')).body).toMatchObject({ total: 0 });
    }
    for (const actor of [gp, nurse, careHome]) {
      expect((await as(actor, 'GET', 'Slot/slot-busy')).status, actor.userId).toBe(200);
      expect((await as(actor, 'GET', 'Endpoint/ep-gp')).status, actor.userId).toBe(200);
    }
  });

  it('a slot booked is no longer public, and its earlier free version is judged with the current one', async () => {
    const slot = JSON.parse((await t.platform.resources.read('Slot', 'slot-free')).json!) as Resource;
    await t.platform.resources.update('Slot', 'slot-free', { ...slot, status: 'busy' } as Resource);
    expect((await as(patient1, 'GET', 'Slot/slot-free')).status).toBe(404);
    expect((await as(patient1, 'GET', 'Slot/slot-free/_history/1')).status).toBe(404);
    await t.platform.resources.update('Slot', 'slot-free', { ...slot, status: 'free' } as Resource);
    expect((await as(patient1, 'GET', 'Slot/slot-free')).status).toBe(200);
  });

  it('patients and carers cannot write the directory', async () => {
    for (const actor of [patient1, carer]) {
      const organisation = { resourceType: 'Organization', name: 'Fake practice' };
      expect((await as(actor, 'POST', 'Organization', organisation)).status, actor.userId).toBe(403);
      const slot = JSON.parse((await t.platform.resources.read('Slot', 'slot-free')).json!) as Resource;
      expect((await as(actor, 'PUT', 'Slot/slot-free', { ...slot, status: 'busy' })).status, actor.userId).toBe(403);
    }
  });
});
