/**
 * The attacker with a valid account (on PGlite and PostgreSQL): a doctor at an acute trust with no
 * relationship to the patient. Every way in answers 404 exactly as for ids that do not exist, and
 * changes nothing.
 * A patient cannot use the staff routes, and nobody gets in without a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from './profile.service.ts';
import { profileTestApp, type ProfileTestApp } from './testing.ts';

let p: ProfileTestApp;
let profileId: string;
let suggestionId: string;
beforeAll(async () => {
  p = await profileTestApp();
  await p.fhir(p.gp, 'POST', `Patient/${p.patientId}/$care-profile`, { resourceType: 'Parameters' });
  profileId = (await findProfile(p.t.platform.resources, p.patientId))!.id!;
  suggestionId = (await p.api(p.patient, 'POST', '/api/care-profile/suggestions', { text: 'Wrong allergy' })).body.id;
}, 120_000);
afterAll(async () => p?.close());

const versionOf = async (type: string, id: string): Promise<string> =>
  JSON.parse((await p.t.platform.resources.read(type, id)).json ?? '{}').meta.versionId;
const count = async (type: string): Promise<number> => (await p.t.fhir('GET', `${type}?_summary=count`)).body.total;

describe('staff of an unrelated organisation', () => {
  it('cannot get the profile: 404 as for a patient that does not exist, and no profile is made', async () => {
    const before = await count('Composition');
    const hidden = await p.fhir(p.stranger, 'POST', `Patient/${p.patientId}/$care-profile`, {
      resourceType: 'Parameters',
    });
    const unknown = await p.fhir(p.stranger, 'POST', 'Patient/no-such-patient/$care-profile', {
      resourceType: 'Parameters',
    });
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(hidden.body.resourceType).toBe('OperationOutcome');
    expect(await count('Composition')).toBe(before);
  });

  it('cannot read the stored Composition directly, nor find it by search', async () => {
    expect((await p.fhir(p.stranger, 'GET', `Composition/${profileId}`)).status).toBe(404);
    const search = await p.fhir(p.stranger, 'GET', `Composition?subject=Patient/${p.patientId}`);
    expect(search.body.entry ?? []).toEqual([]);
  });

  it('cannot see, accept or decline the patient’s suggestions (404, nothing changes)', async () => {
    expect((await p.api(p.stranger, 'GET', `/api/care-profile/patients/${p.patientId}/suggestions`)).status).toBe(404);
    const before = await versionOf('Task', suggestionId);
    for (const action of ['accept', 'decline']) {
      const hidden = await p.api(p.stranger, 'POST', `/api/care-profile/suggestions/${suggestionId}/${action}`, {});
      const unknown = await p.api(p.stranger, 'POST', `/api/care-profile/suggestions/nothing/${action}`, {});
      expect([hidden.status, unknown.status]).toEqual([404, 404]);
    }
    expect(await versionOf('Task', suggestionId)).toBe(before);
  });

  it('cannot record a ReSPECT form for the patient (404) nor end one (404)', async () => {
    const flags = await count('Flag');
    const response = await p.api(p.stranger, 'POST', `/api/care-profile/patients/${p.patientId}/inputs`, {
      kind: 'respect',
      cpr: 'cpr-attempted',
      text: 'For full escalation',
    });
    expect(response.status).toBe(404);
    expect(await count('Flag')).toBe(flags);
    const recorded = await p.api(p.gp, 'POST', `/api/care-profile/patients/${p.patientId}/inputs`, {
      kind: 'communication',
      text: 'Uses BSL: book an interpreter',
    });
    const end = await p.api(p.stranger, 'POST', `/api/care-profile/inputs/Flag/${recorded.body.id}/end`);
    expect(end.status).toBe(404);
    expect(await versionOf('Flag', recorded.body.id)).toBe('1');
  });
});

describe('a patient', () => {
  it.each([
    ['GET', `/api/care-profile/patients/PATIENT/suggestions`],
    ['POST', `/api/care-profile/patients/PATIENT/inputs`],
    ['POST', `/api/care-profile/suggestions/SUGGESTION/accept`],
  ] as const)('is refused %s %s (403)', async (method, url) => {
    const path = url.replace('PATIENT', p.patientId).replace('SUGGESTION', suggestionId);
    const response = await p.api(p.patient, method, path, method === 'POST' ? {} : undefined);
    expect(response.status).toBe(403);
  });
});

describe('staff', () => {
  it('cannot suggest corrections in the patient’s name (403)', async () => {
    expect((await p.api(p.gp, 'POST', '/api/care-profile/suggestions', { text: 'x' })).status).toBe(403);
  });
});

describe('no one signed in', () => {
  it('is refused (401)', async () => {
    const response = await p.t.app.inject({
      method: 'GET',
      url: '/api/care-profile/my/suggestions',
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(response.statusCode).toBe(401);
  });
});
