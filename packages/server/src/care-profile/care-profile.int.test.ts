/**
 * The core personal profile end to end (on PGlite and PostgreSQL): a high-risk score makes the
 * profile, built from the record with its sections; a new medicine makes a new version of the same
 * document; what the clinician records (ReSPECT, what matters) goes in; the ambulance service reaches
 * it by a declared relationship or an open ambulance Encounter, and sees only what it may.
 */
import type { Composition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../events/testing.ts';
import { SECTIONS, type SectionKey } from './codes.ts';
import { sectionOf } from './profile.ts';
import { findProfile } from './profile.service.ts';
import { profileTestApp, riskAssessment, type ProfileTestApp } from './testing.ts';

let p: ProfileTestApp;
beforeAll(async () => {
  p = await profileTestApp();
}, 120_000);
afterAll(async () => p?.close());

const stored = () => findProfile(p.t.platform.resources, p.patientId);
const lines = (profile: Composition, key: SectionKey): string[] =>
  (sectionOf(profile, key)?.entry ?? []).map((e) => e.display ?? '');
const asGp = async (): Promise<Composition> => {
  const response = await p.fhir(p.gp, 'POST', `Patient/${p.patientId}/$care-profile`, { resourceType: 'Parameters' });
  expect(response.status).toBe(200);
  return response.body as Composition;
};

describe('a high-risk person', () => {
  it('gets a profile when their latest score is high, built from the record with every section', async () => {
    expect(await stored()).toBeUndefined();
    await p.create(riskAssessment(p.patientId, 'high', new Date().toISOString()));
    await eventually(async () => (await stored()) !== undefined);
    const profile = (await stored())!;
    expect(profile.status).toBe('final');
    expect(profile.subject?.reference).toBe(`Patient/${p.patientId}`);
    expect(profile.type.coding?.map((c) => c.code)).toEqual(['60591-5', 'core-personal-profile']);
    expect(profile.meta?.source).toMatch(new RegExp(`Organization/${p.orgs.practice}$`));
    expect(profile.section?.map((s) => s.title)).toEqual(SECTIONS.map((s) => s.title));
    expect(lines(profile, 'conditions').sort()).toEqual(['COPD', 'Heart failure']);
    expect(lines(profile, 'medicines')).toEqual(['Furosemide 40mg tablets; One each morning']);
    expect(lines(profile, 'allergies')).toEqual(['Penicillin; reaction: Anaphylaxis; HIGH CRITICALITY']);
    expect(lines(profile, 'care-plan')).toEqual(['COPD self-management plan']);
    expect(lines(profile, 'contacts')).toEqual([
      'Jean Moss (Daughter, main carer); tel. 07700 900555',
      'Care coordination: Community matron: Helen Matron (West Lancs Community)',
    ]);
    // Each entry references the record entry it came from; the narrative lists the lines.
    const conditions = sectionOf(profile, 'conditions')!;
    expect(conditions.entry?.every((e) => e.reference?.startsWith('Condition/'))).toBe(true);
    expect(conditions.text?.div).toContain('<li>COPD</li>');
    // No form recorded: the profile says to check, never that there is none (H-161).
    expect(sectionOf(profile, 'respect')?.text?.div).toContain('This does not mean there is none');
  });

  it('keeps the mental-health condition out of the shared profile (H-163)', async () => {
    const profile = (await stored())!;
    expect(JSON.stringify(profile)).not.toContain('Depression');
  });

  it('is regenerated as a new version of the same document when a medicine is added', async () => {
    const before = (await stored())!;
    await p.create({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${p.patientId}` },
      medicationCodeableConcept: { text: 'Bisoprolol 2.5mg tablets' },
      dosageInstruction: [{ text: 'One daily' }],
    } as never);
    await eventually(async () => lines((await stored())!, 'medicines').length === 2);
    const after = (await stored())!;
    expect(after.id).toBe(before.id);
    expect(Number(after.meta?.versionId)).toBeGreaterThan(Number(before.meta?.versionId));
    expect(after.status).toBe('amended');
    expect(lines(after, 'medicines')).toContain('Bisoprolol 2.5mg tablets; One daily');
  });

  it('takes in the ReSPECT form and what matters, recorded by the GP through the API', async () => {
    const respect = await p.api(p.gp, 'POST', `/api/care-profile/patients/${p.patientId}/inputs`, {
      kind: 'respect',
      cpr: 'cpr-not-attempted',
      text: 'Comfort-focused care at home',
      date: '2026-11-01',
    });
    expect(respect.status).toBe(201);
    expect(respect.body.resourceType).toBe('Flag');
    const matters = await p.api(p.gp, 'POST', `/api/care-profile/patients/${p.patientId}/inputs`, {
      kind: 'what-matters',
      text: 'Staying at home with my dog',
    });
    expect(matters.status).toBe(201);
    await eventually(async () => lines((await stored())!, 'what-matters').length === 1);
    await eventually(async () => lines((await stored())!, 'respect').length === 1);
    const profile = await asGp();
    expect(lines(profile, 'respect')[0]).toMatch(/^ReSPECT form \(1 Nov 2026\): CPR not to be attempted \(DNACPR\)/);
    expect(lines(profile, 'what-matters')[0]).toMatch(/^Staying at home with my dog/);
  });

  it('refuses an input that is not valid, naming the field', async () => {
    const response = await p.api(p.gp, 'POST', `/api/care-profile/patients/${p.patientId}/inputs`, {
      kind: 'respect',
      cpr: 'maybe',
      text: '',
    });
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(response.body)).toContain('cpr');
  });
});

describe('the ambulance service', () => {
  const operation = () => `Patient/${p.patientId}/$care-profile`;

  it('has no relationship by default: 404, as for a patient that does not exist', async () => {
    expect((await p.fhir(p.paramedic, 'POST', operation(), { resourceType: 'Parameters' })).status).toBe(404);
    expect(
      (await p.fhir(p.paramedic, 'POST', 'Patient/nobody/$care-profile', { resourceType: 'Parameters' })).status,
    ).toBe(404);
  });

  it('sees the profile once the attending paramedic declares the relationship (the 999 call)', async () => {
    const declared = await p.api(p.paramedic, 'POST', '/api/access/declared-relationships', {
      patientId: p.patientId,
      reason: 'Attending 999 call: shortness of breath',
    });
    expect(declared.status).toBe(201);
    const response = await p.fhir(p.paramedic, 'POST', operation(), { resourceType: 'Parameters' });
    expect(response.status).toBe(200);
    const profile = response.body as Composition;
    expect(lines(profile, 'respect')[0]).toContain('CPR not to be attempted');
    expect(lines(profile, 'allergies')[0]).toContain('Penicillin');
    expect(lines(profile, 'conditions').sort()).toEqual(['COPD', 'Heart failure']);
  });

  it('sees it through an open ambulance Encounter (the crew dispatched by the control room)', async () => {
    expect((await p.fhir(p.crew, 'POST', operation(), { resourceType: 'Parameters' })).status).toBe(404);
    await p.create({
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'FLD', display: 'field' },
      subject: { reference: `Patient/${p.patientId}` },
      serviceProvider: { reference: `Organization/${p.orgs.ambulance}` },
    } as never);
    expect((await p.fhir(p.crew, 'POST', operation(), { resourceType: 'Parameters' })).status).toBe(200);
  });

  it('does not see what the patient has withheld from it, while the GP still does', async () => {
    await p.create({
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${p.patientId}` },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTINR' }] },
      provision: {
        type: 'deny',
        actor: [
          {
            role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
            reference: { reference: `Organization/${p.orgs.ambulance}` },
          },
        ],
        code: [
          { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/data-category', code: 'medications' }] },
        ],
      },
    } as never);
    const response = await p.fhir(p.paramedic, 'POST', operation(), { resourceType: 'Parameters' });
    expect(response.status).toBe(200);
    expect(lines(response.body, 'medicines')).toEqual([]);
    expect(sectionOf(response.body, 'medicines')?.text?.div).toContain('No current medicines recorded.');
    expect(lines(response.body, 'allergies')).toHaveLength(1);
    expect(lines(await asGp(), 'medicines')).toHaveLength(2);
  });
});
