/**
 * The patient's side (on PGlite and PostgreSQL): they see their profile in the portal, suggest a
 * correction (a Task to the practice with their words), the practice sees it on the profile page
 * and accepts or declines it, and the patient sees the decision. Another patient sees none of it.
 */
import type { Composition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileTestApp, type ProfileTestApp } from './testing.ts';

let p: ProfileTestApp;
beforeAll(async () => {
  p = await profileTestApp();
  // The GP opens a profile for her patient (a clinician's choice: no risk score needed).
  const opened = await p.fhir(p.gp, 'POST', `Patient/${p.patientId}/$care-profile`, { resourceType: 'Parameters' });
  expect(opened.status).toBe(200);
}, 120_000);
afterAll(async () => p?.close());

describe('the patient', () => {
  it('sees their own profile', async () => {
    const response = await p.fhir(p.patient, 'POST', `Patient/${p.patientId}/$care-profile`, {
      resourceType: 'Parameters',
    });
    expect(response.status).toBe(200);
    expect((response.body as Composition).title).toBe('Core personal profile');
  });

  it('suggests a correction, the practice accepts it, and the patient sees the decision', async () => {
    const suggested = await p.api(p.patient, 'POST', '/api/care-profile/suggestions', {
      section: 'medicines',
      text: 'I stopped the furosemide in October on the heart nurse’s advice.',
    });
    expect(suggested.status).toBe(201);
    expect(suggested.body.status).toBe('waiting');
    const seen = await p.api(p.gp, 'GET', `/api/care-profile/patients/${p.patientId}/suggestions`);
    expect(seen.status).toBe(200);
    expect(seen.body.suggestions).toEqual([
      expect.objectContaining({ id: suggested.body.id, section: 'medicines', status: 'waiting' }),
    ]);
    const accepted = await p.api(p.gp, 'POST', `/api/care-profile/suggestions/${suggested.body.id}/accept`, {
      note: 'Thank you: medicines updated.',
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    const again = await p.api(p.gp, 'POST', `/api/care-profile/suggestions/${suggested.body.id}/decline`, {});
    expect(again.status).toBe(409);
    const mine = await p.api(p.patient, 'GET', '/api/care-profile/my/suggestions');
    expect(mine.body.suggestions[0]).toMatchObject({ status: 'accepted', note: 'Thank you: medicines updated.' });
  });

  it('can have a suggestion declined', async () => {
    const suggested = await p.api(p.patient, 'POST', '/api/care-profile/suggestions', { text: 'My daughter is Jane' });
    const declined = await p.api(p.gp, 'POST', `/api/care-profile/suggestions/${suggested.body.id}/decline`, {
      note: 'Checked with you by phone: Jean is right.',
    });
    expect(declined.body.status).toBe('declined');
  });

  it('must write something (400, naming the field)', async () => {
    const response = await p.api(p.patient, 'POST', '/api/care-profile/suggestions', { text: '  ' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('text');
  });
});

describe('another patient', () => {
  it('cannot read the profile (404), has none of their own to correct (404), and sees no suggestions', async () => {
    const other = p.otherPatient;
    expect(
      (await p.fhir(other, 'POST', `Patient/${p.patientId}/$care-profile`, { resourceType: 'Parameters' })).status,
    ).toBe(404);
    expect((await p.api(other, 'POST', '/api/care-profile/suggestions', { text: 'Hello' })).status).toBe(404);
    expect((await p.api(other, 'GET', '/api/care-profile/my/suggestions')).body.suggestions).toEqual([]);
  });
});
