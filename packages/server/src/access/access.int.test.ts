import type { Bundle, Communication, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientEverything } from '../fhir/operations/everything.ts';
import { isOperationOutcomeError } from '../fhir/outcome.ts';
import { history } from '../fhir/store/history.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import type { Actor, StaffActor } from './actor.ts';
import {
  ACTORS,
  EXPECTED,
  loadScenario,
  officer,
  PATIENT_DATA_TYPES,
  UNIVERSE,
  type Scenario,
} from './testing/scenario.ts';

let database: TestDatabase;
let scenario: Scenario;

beforeAll(async () => {
  database = await createTestDatabase();
  scenario = await loadScenario(database.db);
});

afterAll(async () => {
  await database?.dispose();
});

const as = (actor: Actor): ResourceService => scenario.resources.forCaller(scenario.access.accessFor(actor));
const ref = (r: Resource): string => `${r.resourceType}/${r.id}`;
const sorted = (refs: Iterable<string>): string[] => [...refs].sort();
const matches = (bundle: Bundle): string[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => ref(e.resource!));
const included = (bundle: Bundle): string[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => ref(e.resource!));

async function status(work: Promise<unknown>): Promise<number> {
  try {
    await work;
    return 200;
  } catch (error) {
    if (isOperationOutcomeError(error)) {
      return error.status;
    }
    throw error;
  }
}

/** Every match of a search, following `next` links two at a time; the first page asks for the total. */
async function searchAll(service: ResourceService, type: string, query: [string, string][] = []) {
  let pairs: [string, string][] = [...query, ['_count', '2'], ['_total', 'accurate']];
  const found: string[] = [];
  let total: number | undefined;
  for (let page = 0; page < 50; page++) {
    const bundle = await service.search(type, pairs);
    total ??= bundle.total;
    found.push(...matches(bundle));
    const next = bundle.link?.find((l) => l.relation === 'next');
    if (!next) {
      break;
    }
    pairs = [...new URL(next.url).searchParams] as [string, string][];
  }
  return { found, total };
}

const actorNames = Object.keys(ACTORS) as (keyof typeof ACTORS)[];

/** A hospital doctor who declares relationships in these tests (so ACTORS.acute keeps none). */
const ACUTE_WARD: StaffActor = { ...ACTORS.acute, userId: 'user-acute-ward', practitionerId: 'pr-acute-ward' };

describe('what the patient sees of their own record online', () => {
  it('a safeguarding flag is kept from the patient, and not even mentioned in $everything', async () => {
    const p3: Actor = { kind: 'patient', userId: 'user-p3', patientId: 'p3', scopes: [] };
    const before = await patientEverything(as(p3), 'p3', {});
    expect((before.entry ?? []).filter((e) => e.search?.mode === 'outcome')).toEqual([]);
    const created = await scenario.resources.create('Flag', {
      resourceType: 'Flag',
      meta: {
        source: 'Organization/org-gp',
        security: [{ system: 'https://careweave.example/fhir/CodeSystem/sensitivity', code: 'safeguarding' }],
      },
      status: 'active',
      code: { text: 'Safeguarding concern: see the safeguarding record' },
      subject: { reference: 'Patient/p3' },
    });
    const id = created.resource.id!;
    try {
      expect(await status(as(p3).read('Flag', id))).toBe(404);
      const after = await patientEverything(as(p3), 'p3', {});
      expect((after.entry ?? []).map((e) => e.resource!.resourceType)).not.toContain('Flag');
      expect((after.entry ?? []).filter((e) => e.search?.mode === 'outcome')).toEqual([]);
      expect(after.total).toBe(before.total);
    } finally {
      await scenario.resources.delete('Flag', id);
    }
  });
});

describe('need to know inside an organisation', () => {
  it("without a relationship, staff do not see even their own organisation's record", async () => {
    expect(await status(as(ACTORS.acute).read('Encounter', 'p1-acute-enc'))).toBe(404);
    expect(await status(as(ACTORS.mhNurse).read('Condition', 'p1-mh-cond'))).toBe(404);
    // With one (the GP practice: registration), they do.
    expect(await status(as(ACTORS.gp).read('Condition', 'p1-gp-cond'))).toBe(200);
  });

  it('a declared relationship opens the own record, for that practitioner only, and is reported', async () => {
    const doctor: StaffActor = { ...ACTORS.acute, userId: 'user-acute-reg', practitionerId: 'pr-acute-reg' };
    expect(await status(scenario.access.declared.declare(doctor, 'p3', 'too short'))).toBe(400);
    expect(await status(scenario.access.declared.declare(ACTORS.patient1, 'p1', 'I would like to see'))).toBe(403);
    expect(await status(scenario.access.declared.declare(doctor, 'nobody', 'Seeing this patient in clinic'))).toBe(404);

    const declared = await scenario.access.declared.declare(doctor, 'p2', 'Seeing this patient in fracture clinic');
    expect(new Date(declared.expiresAt).getTime() - new Date(declared.startedAt).getTime()).toBe(24 * 3_600_000);
    expect(await status(as(doctor).read('Observation', 'p2-acute-obs'))).toBe(200);
    // A colleague in the same organisation and role gains nothing from it.
    expect(await status(as(ACTORS.acute).read('Observation', 'p2-acute-obs'))).toBe(404);
    // p2 has opted out: the declared relationship opens the trust's own record, not the GP's.
    expect(await status(as(doctor).read('Condition', 'p2-gp-cond'))).toBe(404);

    const log = await scenario.access.audit.list({ patient: 'p2' });
    const entry = log.find((e) => e.interaction === 'declare-relationship');
    expect(entry).toMatchObject({ decision: 'permit', query: 'reason=Seeing this patient in fracture clinic' });
    expect(entry!.actor).toMatchObject({ practitioner: 'Practitioner/pr-acute-reg' });
    const alerts = await scenario.resources.search('Communication', [['subject', 'Patient/p2']]);
    const alert = alerts.entry
      ?.map((e) => e.resource as Communication)
      .find((c) => /Declared relationship/.test(c.payload?.[0]?.contentString ?? ''));
    expect(alert?.recipient).toEqual([{ reference: 'PractitionerRole/role-po-acute' }]);

    // The privacy officer reviews the organisation's declarations; no one else may.
    const reviewed = await scenario.access.declared.list(officer('org-acute'), { organisation: true });
    expect(reviewed.map((d) => d.id)).toContain(declared.id);
    expect(await status(scenario.access.declared.list(doctor, { organisation: true }))).toBe(403);

    // Ending it early closes the record again; ending someone else's looks like an unknown id.
    expect(await status(scenario.access.declared.end(ACTORS.acute, declared.id))).toBe(404);
    await scenario.access.declared.end(doctor, declared.id);
    expect(await status(as(doctor).read('Observation', 'p2-acute-obs'))).toBe(404);
    expect(await scenario.access.declared.list(doctor)).toEqual([]);
  });

  it('clerical staff see who the patient is and their appointments, never clinical detail', async () => {
    const receptionist: StaffActor = {
      ...ACTORS.gp,
      userId: 'user-gp-clerk',
      practitionerId: 'pr-gp-clerk',
      roleCode: 'R8010',
    };
    const appointment = await scenario.resources.create('Appointment', {
      resourceType: 'Appointment',
      meta: { source: 'Organization/org-gp' },
      status: 'booked',
      start: '2026-12-20T09:00:00Z',
      end: '2026-12-20T09:10:00Z',
      participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
    });
    const clerk = as(receptionist);
    expect(await status(clerk.read('Patient', 'p1'))).toBe(200);
    expect(await status(clerk.read('Appointment', appointment.resource.id!))).toBe(200);
    expect(await status(clerk.read('Condition', 'p1-gp-cond'))).toBe(404);
    expect(await status(clerk.read('MedicationRequest', 'p1-gp-med'))).toBe(404);
    expect(await status(clerk.read('Consent', 'p1-c-carer'))).toBe(404);
    const { found } = await searchAll(clerk, 'Condition', [['patient', 'p1']]);
    expect(found).toEqual([]);
    // Break-glass does not lift the role rule.
    await scenario.access.breakGlass.start(receptionist, 'p1', 'Patient collapsed in the waiting room');
    expect(await status(clerk.read('Condition', 'p1-gp-cond'))).toBe(404);
    await scenario.resources.delete('Appointment', appointment.resource.id!);
  });
});

describe('each actor sees exactly what docs/ACCESS.md allows', () => {
  it.each(actorNames)('%s: read by id (hidden is 404, like missing)', async (name) => {
    const service = as(ACTORS[name]);
    const seen: string[] = [];
    for (const item of UNIVERSE) {
      const [type, id] = item.split('/') as [string, string];
      const code = await status(service.read(type, id));
      expect([200, 404]).toContain(code);
      if (code === 200) {
        seen.push(item);
      }
    }
    expect(sorted(seen)).toEqual(sorted(EXPECTED[name]));
    // Directory data is everyone's.
    expect(await status(service.read('Organization', 'org-acute'))).toBe(200);
    expect(await status(service.read('Practitioner', 'pr-gp'))).toBe(200);
  });

  it.each(actorNames)('%s: search, paging and accurate totals count only visible rows', async (name) => {
    const service = as(ACTORS[name]);
    const all: string[] = [];
    for (const type of PATIENT_DATA_TYPES) {
      const { found, total } = await searchAll(service, type);
      const expected = EXPECTED[name].filter((r) => r.startsWith(`${type}/`));
      expect(sorted(found), type).toEqual(sorted(expected));
      expect(total, `${type} total`).toBe(expected.length);
      all.push(...found);
    }
    expect(sorted(all)).toEqual(sorted(EXPECTED[name]));
  });

  it('_summary=count and _count=0 count only visible rows', async () => {
    const nurse = as(ACTORS.nurse);
    expect((await nurse.search('Observation', [['_summary', 'count']])).total).toBe(1);
    expect(
      (
        await nurse.search('Observation', [
          ['patient', 'p1'],
          ['_count', '0'],
        ])
      ).total,
    ).toBe(1);
    expect((await as(ACTORS.gp).search('Observation', [['_summary', 'count']])).total).toBe(2);
  });

  it('_include does not reveal hidden targets', async () => {
    const query: [string, string][] = [['_include', 'MedicationRequest:encounter']];
    const gp = await as(ACTORS.gp).search('MedicationRequest', query);
    expect(matches(gp)).toEqual(['MedicationRequest/p1-gp-med']);
    expect(included(gp)).toEqual(['Encounter/p1-acute-enc']);
    // The carer may see the medication, but the patient denied them encounters.
    const carer = await as(ACTORS.carer).search('MedicationRequest', query);
    expect(matches(carer)).toEqual(['MedicationRequest/p1-gp-med']);
    expect(included(carer)).toEqual([]);
    const nurse = await as(ACTORS.nurse).search('Observation', [
      ['patient', 'p1'],
      ['_include', 'Observation:encounter'],
    ]);
    expect(matches(nurse)).toEqual(['Observation/p1-comm-obs']);
    expect(included(nurse)).toEqual([]);
  });

  it('_revinclude does not reveal hidden sources', async () => {
    const query: [string, string][] = [
      ['_id', 'p1'],
      ['_revinclude', 'Observation:subject'],
      ['_revinclude', 'Condition:subject'],
    ];
    const byActor = async (actor: Actor) => sorted(included(await as(actor).search('Patient', query)));
    expect(await byActor(ACTORS.gp)).toEqual(
      sorted(['Observation/p1-acute-lab', 'Observation/p1-comm-obs', 'Condition/p1-gp-cond', 'Condition/p1-mh-cond']),
    );
    expect(await byActor(ACTORS.nurse)).toEqual(
      sorted(['Observation/p1-comm-obs', 'Condition/p1-gp-cond', 'Condition/p1-mh-cond']),
    );
    expect(await byActor(ACTORS.careHome)).toEqual([]);
    expect(await byActor(ACTORS.patient1)).toEqual(
      sorted([
        'Observation/p1-acute-lab',
        'Observation/p1-acute-sex',
        'Observation/p1-comm-obs',
        'Condition/p1-gp-cond',
        'Condition/p1-mh-cond',
      ]),
    );
    expect(matches(await as(ACTORS.patient2).search('Patient', query))).toEqual([]);
  });

  it.each(actorNames)('%s: $everything returns only visible patient data', async (name) => {
    const service = as(ACTORS[name]);
    const expected = EXPECTED[name].filter((r) => r.includes('p1') || r === 'RelatedPerson/rp1');
    if (!EXPECTED[name].includes('Patient/p1')) {
      expect(await status(patientEverything(service, 'p1', {}))).toBe(404);
      return;
    }
    const bundle = await patientEverything(service, 'p1', {});
    const matches = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match');
    const refs = matches.map((e) => ref(e.resource!));
    expect(sorted(refs.filter((r) => UNIVERSE.includes(r)))).toEqual(sorted(expected));
    expect(bundle.total).toBe(refs.length);
    // Something of p1's is hidden from this caller exactly when a `suppressed` outcome says so.
    const everything = await patientEverything(scenario.resources, 'p1', {});
    const hidden = (everything.entry ?? []).map((e) => ref(e.resource!)).filter((r) => !refs.includes(r));
    const notices = (bundle.entry ?? []).filter((e) => e.search?.mode === 'outcome');
    expect(notices.map((e) => (e.resource as OperationOutcome).issue[0]!.code)).toEqual(
      hidden.length ? ['suppressed'] : [],
    );
  });

  it('audits a refused read by id as a denial in the patient’s log, and an unknown id not at all', async () => {
    const before = (await scenario.access.audit.list({ patient: 'p1' }))[0]?.seq ?? 0;
    expect(await status(as(ACTORS.patient2).read('Observation', 'p1-acute-lab'))).toBe(404);
    expect(await status(as(ACTORS.patient2).vread('Observation', 'p1-acute-lab', '1'))).toBe(404);
    expect(await status(as(ACTORS.patient2).read('Observation', 'no-such-observation'))).toBe(404);
    const added = (await scenario.access.audit.list({ patient: 'p1' })).filter((e) => e.seq > before);
    expect(added.map((e) => [e.interaction, e.decision, e.resourceRefs])).toEqual([
      ['vread', 'deny', ['Observation/p1-acute-lab']],
      ['read', 'deny', ['Observation/p1-acute-lab']],
    ]);
    expect(added[0]!.actor).toMatchObject({ kind: 'patient', patient: 'Patient/p2' });
  });

  it('IDOR: a patient cannot read another patient’s resources by id', async () => {
    expect(await status(as(ACTORS.patient2).read('Observation', 'p1-acute-lab'))).toBe(404);
    expect(await status(as(ACTORS.patient2).read('Patient', 'p1'))).toBe(404);
    expect(await status(as(ACTORS.patient2).vread('Observation', 'p1-acute-lab', '1'))).toBe(404);
    expect(await status(as(ACTORS.patient1).read('Observation', 'p2-acute-obs'))).toBe(404);
    expect(await status(as(ACTORS.patient2).read('Observation', 'p2-acute-obs'))).toBe(200);
  });
});

describe('history', () => {
  beforeAll(async () => {
    // A second version of the mental-health condition; a deleted acute lab result.
    const current = JSON.parse((await scenario.resources.read('Condition', 'p1-mh-cond')).json!) as Resource;
    await scenario.resources.update('Condition', 'p1-mh-cond', { ...current, onsetString: 'Last year' } as Resource);
    await scenario.resources.update('Observation', 'p1-acute-del', {
      resourceType: 'Observation',
      id: 'p1-acute-del',
      meta: { source: 'Organization/org-acute' },
      status: 'final',
      code: { text: 'Potassium' },
      subject: { reference: 'Patient/p1' },
    });
    await scenario.resources.delete('Observation', 'p1-acute-del');
  });

  const historyOf = (actor: Actor, resourceType?: string, id?: string) => {
    const service = as(actor);
    return history(service, service.searchContext().db, { resourceType, id, query: [['_count', '100']] });
  };
  const refsOf = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.fullUrl!.split('/R4/')[1]!);

  it('instance history is 404 for a hidden resource, whole for a visible one', async () => {
    expect(await status(historyOf(ACTORS.careHome, 'Condition', 'p1-mh-cond'))).toBe(404);
    expect(refsOf(await historyOf(ACTORS.gp, 'Condition', 'p1-mh-cond'))).toHaveLength(2);
    expect(refsOf(await historyOf(ACTORS.nurse, 'Condition', 'p1-mh-cond'))).toHaveLength(2);
    // The trust's own nurse, no longer on the care team: not even its own record's history.
    expect(await status(historyOf(ACTORS.mhNurse, 'Condition', 'p1-mh-cond'))).toBe(404);
  });

  it('a deleted resource keeps its labels: its history stays restricted', async () => {
    await scenario.access.declared.declare(ACUTE_WARD, 'p1', 'Admitted to the ward from A&E overnight');
    expect(await status(as(ACUTE_WARD).read('Observation', 'p1-acute-del'))).toBe(410);
    expect(await status(as(ACTORS.acute).read('Observation', 'p1-acute-del'))).toBe(404);
    expect(await status(as(ACTORS.careHome).read('Observation', 'p1-acute-del'))).toBe(404);
    expect(refsOf(await historyOf(ACUTE_WARD, 'Observation', 'p1-acute-del'))).toHaveLength(2);
    expect(await status(historyOf(ACTORS.careHome, 'Observation', 'p1-acute-del'))).toBe(404);
    expect(await status(as(ACTORS.careHome).vread('Observation', 'p1-acute-del', '1'))).toBe(404);
  });

  it('type and system history hide versions of resources the caller cannot see', async () => {
    expect(sorted(new Set(refsOf(await historyOf(ACTORS.nurse, 'Condition'))))).toEqual(
      sorted(['Condition/p1-gp-cond', 'Condition/p1-mh-cond']),
    );
    expect(refsOf(await historyOf(ACTORS.careHome, 'Condition'))).toEqual([]);
    const system = new Set(
      // Alerts about p2 raised by other tests (a declared relationship) are p2's too; left out here.
      refsOf(await historyOf(ACTORS.patient2)).filter((r) => !/^(Organization|Practitioner|Communication)/.test(r)),
    );
    expect(sorted(system)).toEqual(sorted(EXPECTED.patient2));
  });
});

describe('break-glass', () => {
  it('needs a reason of 10 characters or more', async () => {
    expect(await status(scenario.access.breakGlass.start(ACTORS.acute, 'p1', 'urgent'))).toBe(400);
    expect(await status(scenario.access.breakGlass.start(ACTORS.patient1, 'p1', 'I want to see it all'))).toBe(403);
    expect(
      await status(scenario.access.breakGlass.start(ACTORS.acute, 'nobody', 'Unconscious in ED, no records')),
    ).toBe(404);
  });

  it('opens the record to that user, raises an alert and shows in the patient’s audit log', async () => {
    const acute = as(ACTORS.acute);
    expect(await status(acute.read('Condition', 'p1-gp-cond'))).toBe(404);
    const session = await scenario.access.breakGlass.start(
      ACTORS.acute,
      'p1',
      'Unconscious in ED, no history available',
    );
    expect(new Date(session.expiresAt).getTime() - new Date(session.startedAt).getTime()).toBe(4 * 3_600_000);

    expect(await status(acute.read('Condition', 'p1-gp-cond'))).toBe(200);
    const { found } = await searchAll(acute, 'Condition', [['patient', 'p1']]);
    expect(sorted(found)).toEqual(sorted(['Condition/p1-gp-cond', 'Condition/p1-mh-cond']));
    // Only this user, only this patient.
    expect(await status(as({ ...ACTORS.acute, userId: 'someone-else' }).read('Condition', 'p1-gp-cond'))).toBe(404);
    expect(await status(acute.read('Condition', 'p2-gp-cond'))).toBe(404);

    const alert = JSON.parse((await scenario.resources.read('Communication', session.communicationId)).json!);
    expect(alert.recipient).toEqual([{ reference: 'PractitionerRole/role-po-acute' }]);
    expect(alert.subject).toEqual({ reference: 'Patient/p1' });
    expect(alert.payload[0].contentString).toContain('Unconscious in ED');
    expect(alert.category[0].coding[0].code).toBe('alert');

    const log = await scenario.access.audit.list({ patient: 'p1' });
    const opened = log.find((e) => e.interaction === 'break-glass');
    expect(opened).toMatchObject({
      decision: 'break-glass',
      breakGlassReason: 'Unconscious in ED, no history available',
    });
    expect(opened!.actor).toMatchObject({
      practitioner: 'Practitioner/pr-acute',
      organization: 'Organization/org-acute',
    });
    const read = log.find((e) => e.interaction === 'search' && e.actor.userId === 'user-acute');
    expect(read).toMatchObject({ decision: 'permit-break-glass' });
    // The patient sees the alert about them.
    expect(await status(as(ACTORS.patient1).read('Communication', session.communicationId))).toBe(200);
  });

  it('alerts the organisation itself when it has no privacy officer', async () => {
    const session = await scenario.access.breakGlass.start(ACTORS.nurse, 'p3', 'Home visit, patient collapsed');
    const alert = JSON.parse((await scenario.resources.read('Communication', session.communicationId)).json!);
    expect(alert.recipient).toEqual([{ reference: 'Organization/org-comm' }]);
    expect(await status(as(ACTORS.nurse).read('Condition', 'p3-cond'))).toBe(200);
  });
});

describe('writes', () => {
  const observation = (patient: string, extra: Record<string, unknown> = {}): Resource => ({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'Pulse' },
    subject: { reference: `Patient/${patient}` },
    ...extra,
  });

  it('staff cannot write for a patient they have no relationship with', async () => {
    expect(await status(as(ACTORS.socialWorker).create('Observation', observation('p2')))).toBe(403);
    expect(await status(as(ACTORS.gp).create('Observation', observation('p3')))).toBe(403);
  });

  it('staff cannot modify or delete another organisation’s resource', async () => {
    const nurse = as(ACTORS.nurse);
    const current = JSON.parse((await nurse.read('Condition', 'p1-gp-cond')).json!) as Resource;
    expect(await status(nurse.update('Condition', 'p1-gp-cond', { ...current, onsetString: 'x' } as Resource))).toBe(
      403,
    );
    expect(
      await status(nurse.patch('Condition', 'p1-gp-cond', [{ op: 'add', path: '/onsetString', value: 'x' }])),
    ).toBe(403);
    expect(await status(nurse.delete('Condition', 'p1-gp-cond'))).toBe(403);
    expect(await status(as(ACTORS.gp).read('Condition', 'p1-gp-cond'))).toBe(200);
  });

  it('a staff write is always the actor’s organisation’s record, whatever the client claims', async () => {
    const nurse = as(ACTORS.nurse);
    const { resource } = await nurse.create(
      'Observation',
      observation('p1', {
        meta: { source: 'Organization/org-gp' },
        encounter: { reference: 'Encounter/p1-acute-enc' },
      }),
    );
    expect(resource.meta?.source).toBe(`${scenario.fhirBase}/Organization/org-comm`);
    const [row] = await database.db.query<{ source_org: string; category: string }>(
      `select source_org, category from resource where resource_type = 'Observation' and id = $1`,
      [resource.id!],
    );
    expect(row).toEqual({ source_org: 'org-comm', category: 'observations' });
    // Its own record: it may update and delete it.
    const updated = await nurse.update('Observation', resource.id!, { ...resource, status: 'amended' } as Resource);
    expect(updated.outcome).toBe('updated');
    await nurse.delete('Observation', resource.id!);
  });

  it('a patient cannot present what they write as an organisation’s record', async () => {
    const { resource } = await as(ACTORS.patient1).create(
      'Observation',
      observation('p1', { meta: { source: `${scenario.fhirBase}/Organization/org-acute` } }),
    );
    expect(resource.meta?.source).not.toBe(`${scenario.fhirBase}/Organization/org-acute`);
    const [row] = await database.db.query<{ source_org: string | null }>(
      `select source_org from resource where resource_type = 'Observation' and id = $1`,
      [resource.id!],
    );
    expect(row?.source_org).not.toBe('org-acute');
  });

  it('staff may register a new patient with their organisation and then write for them', async () => {
    const gp = as(ACTORS.gp);
    const patient = await gp.create('Patient', {
      resourceType: 'Patient',
      generalPractitioner: [{ reference: 'Organization/org-gp' }],
    });
    expect(patient.outcome).toBe('created');
    expect(await status(gp.create('Observation', observation(patient.resource.id!)))).toBe(200);
    // Another organisation may not create a patient registered elsewhere and claim it.
    expect(
      await status(
        as(ACTORS.nurse).create('Patient', {
          resourceType: 'Patient',
          generalPractitioner: [{ reference: 'Organization/org-gp' }],
        }),
      ),
    ).toBe(403);
    // Update as create is for trusted integrations: for staff a PUT to an unknown id is 404, as for a hidden one.
    expect(
      await status(gp.update('Patient', 'p5', { resourceType: 'Patient', id: 'p5', generalPractitioner: [] })),
    ).toBe(404);
  });

  it('a patient may create their own Consent and portal resources, nothing else', async () => {
    const me = as(ACTORS.patient1);
    const own = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      patient: { reference: 'Patient/p1' },
      provision: {
        type: 'deny',
        code: [
          { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/data-category', code: 'observations' }] },
        ],
      },
    } as Resource;
    const created = await me.create('Consent', own);
    expect(created.outcome).toBe('created');
    expect(await status(me.create('Consent', { ...own, patient: { reference: 'Patient/p2' } } as Resource))).toBe(403);
    expect(
      await status(
        me.create('Condition', {
          resourceType: 'Condition',
          subject: { reference: 'Patient/p1' },
          code: { text: 'x' },
        }),
      ),
    ).toBe(403);
    const proposal = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'proposal',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'Amlodipine 5mg tablets' },
    } as Resource;
    const requested = await me.create('MedicationRequest', proposal);
    expect(requested.resource.meta?.tag).toContainEqual({
      system: 'https://careweave.example/fhir/CodeSystem/record-origin',
      code: 'patient-portal',
    });
    expect(
      await status(
        me.update('MedicationRequest', requested.resource.id!, {
          ...requested.resource,
          note: [{ text: 'Please' }],
        } as Resource),
      ),
    ).toBe(200);
    expect(await status(me.create('MedicationRequest', { ...proposal, intent: 'order' } as Resource))).toBe(403);
    // Records the portal did not create cannot be changed from it, even in their own compartment.
    const lab = JSON.parse((await me.read('Observation', 'p1-acute-lab')).json!) as Resource;
    expect(await status(me.update('Observation', 'p1-acute-lab', { ...lab, status: 'cancelled' } as Resource))).toBe(
      403,
    );
    expect(await status(me.create('Observation', observation('p2')))).toBe(403);
    expect(await status(me.delete('Consent', created.resource.id!))).toBe(403);

    // The new consent denies observations to everyone: the GP loses the community observation.
    expect(await status(as(ACTORS.gp).read('Observation', 'p1-comm-obs'))).toBe(404);
    // Revoking it (status inactive) restores it.
    await me.update('Consent', created.resource.id!, { ...created.resource, status: 'inactive' } as Resource);
    expect(await status(as(ACTORS.gp).read('Observation', 'p1-comm-obs'))).toBe(200);
  });

  it('a carer may act only within what the patient permitted', async () => {
    const carer = as(ACTORS.carer);
    const proposal = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'proposal',
      subject: { reference: 'Patient/p1' },
      medicationCodeableConcept: { text: 'Amlodipine 5mg tablets' },
    } as Resource;
    expect(await status(carer.create('MedicationRequest', proposal))).toBe(200);
    expect(await status(carer.create('Observation', observation('p1')))).toBe(403);
    expect(
      await status(
        carer.create('MedicationRequest', { ...proposal, subject: { reference: 'Patient/p2' } } as Resource),
      ),
    ).toBe(403);
  });

  it('relationships follow the record: a care team ending closes access, but not what the patient permitted', async () => {
    const gp = as(ACTORS.gp);
    const careTeam = JSON.parse((await gp.read('CareTeam', 'p1-ct')).json!);
    expect(await status(as(ACTORS.nurse).read('Condition', 'p1-gp-cond'))).toBe(200);
    await gp.update('CareTeam', 'p1-ct', { ...careTeam, status: 'inactive' });
    expect(await status(as(ACTORS.nurse).read('Condition', 'p1-gp-cond'))).toBe(404);
    // The care home's access rests on the patient's own permit naming it (medications), not on the team.
    expect(await status(as(ACTORS.careHome).read('MedicationRequest', 'p1-gp-med'))).toBe(200);
    expect(await status(as(ACTORS.careHome).read('Patient', 'p1'))).toBe(200);
    await gp.update('CareTeam', 'p1-ct', careTeam);
    expect(await status(as(ACTORS.nurse).read('Condition', 'p1-gp-cond'))).toBe(200);
  });
});

describe('audit', () => {
  it('writes one row per request listing the resources and patients returned', async () => {
    const before = await scenario.access.audit.list({ count: 1 });
    await as(ACTORS.gp).search('Condition', [['patient', 'p1']]);
    const [row, ...rest] = await scenario.access.audit.list({ count: 2 });
    expect(rest[0]?.seq).toBe(before[0]?.seq);
    expect(row).toMatchObject({
      interaction: 'search',
      decision: 'permit',
      purpose: 'direct-care',
      patientIds: ['p1'],
      query: 'Condition?patient=p1',
    });
    expect(sorted(row!.resourceRefs)).toEqual(sorted(['Condition/p1-gp-cond', 'Condition/p1-mh-cond']));
    expect(row!.actor).toMatchObject({ kind: 'staff', role: 'R8000', organization: 'Organization/org-gp' });
  });

  it('records every search, also one about no patient; a read of directory data is not patient data', async () => {
    const [before] = await scenario.access.audit.list({ count: 1 });
    await as(ACTORS.gp).read('Practitioner', 'pr-gp');
    expect((await scenario.access.audit.list({ count: 1 }))[0]!.seq).toBe(before!.seq);
    await as(ACTORS.gp).search('Organization', []);
    await as(ACTORS.careHome).search('Condition', [['code', 'no-such-code']]);
    const [empty, directory] = await scenario.access.audit.list({ count: 2 });
    expect([directory!.query, empty!.query]).toEqual(['Organization?', 'Condition?code=no-such-code']);
    expect(empty!.patientIds).toEqual([]);
    expect(directory!.seq).toBeGreaterThan(before!.seq);
  });

  it('the chain verifies', async () => {
    expect(await scenario.access.audit.verify()).toMatchObject({ ok: true });
  });
});
