import type { Consent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { consentFor } from './consent.ts';
import {
  CHANGES,
  changeApplies,
  isNationalDataOptOut,
  isSharedRecordObjection,
  nationalDataOptOut,
  NDOO_POLICY_URI,
  optOutChange,
  optOutsIn,
  sharedRecordObjection,
  withdrawn,
} from './opt-outs.ts';

const today = new Date('2026-11-25T10:00:00Z');
const now = today.getTime();

describe('the two kinds of opt-out as Consent resources (docs/ACCESS.md)', () => {
  it('writes the National Data Opt-out: scope research, the national policy, a deny for research and planning', () => {
    const consent = nationalDataOptOut('pat-1', today);
    expect(consent).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      patient: { reference: 'Patient/pat-1' },
      performer: [{ reference: 'Patient/pat-1' }],
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
      policy: [{ uri: NDOO_POLICY_URI }],
      provision: {
        type: 'deny',
        period: { start: '2026-11-25' },
        purpose: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' },
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'CAREMGT' },
        ],
      },
    });
    // Never a privacy rule: no actors, no data categories, and not scoped patient-privacy.
    expect(consent.provision!.actor).toBeUndefined();
    expect(consent.provision!.code).toBeUndefined();
    expect(JSON.stringify(consent.scope)).not.toContain('patient-privacy');
    expect(isNationalDataOptOut(consent, now)).toBe(true);
    expect(isSharedRecordObjection(consent, now)).toBe(false);
  });

  it('writes the objection to the shared care record as a deny for everyone, of everything', () => {
    const consent = sharedRecordObjection('pat-1', today);
    expect(consent.scope.coding![0]!.code).toBe('patient-privacy');
    expect(consent.provision).toEqual({ type: 'deny', period: { start: '2026-11-25' } });
    expect(isSharedRecordObjection(consent, now)).toBe(true);
    expect(isNationalDataOptOut(consent, now)).toBe(false);
  });

  it.each<[string, Consent]>([
    [
      'one organisation',
      consentFor('p', { effect: 'deny', actor: { reference: 'Organization/o', display: 'O' }, categories: [] }, today),
    ],
    ['one category', consentFor('p', { effect: 'deny', categories: ['mental-health'] }, today)],
    [
      'a permit',
      consentFor(
        'p',
        { effect: 'permit', actor: { reference: 'Organization/o', display: 'O' }, categories: [] },
        today,
      ),
    ],
    ['a withdrawn objection', withdrawn(sharedRecordObjection('p', today))],
  ])('does not take %s for the objection', (_name, consent) => {
    expect(isSharedRecordObjection(consent, now)).toBe(false);
  });

  it('finds both in a patient’s Consents, only while in force', () => {
    const objection = { ...sharedRecordObjection('p', today), id: 'a' };
    const ndoo = { ...nationalDataOptOut('p', today), id: 'b' };
    const ended: Consent = { ...nationalDataOptOut('p', today), id: 'c' };
    ended.provision = { ...ended.provision!, period: { start: '2020-01-01', end: '2021-01-01' } };
    const other = { ...consentFor('p', { effect: 'deny', categories: ['results'] }, today), id: 'd' };
    const state = optOutsIn([objection, ndoo, ended, other, withdrawn({ ...ndoo, id: 'e' })], now);
    expect(state.objections.map((c) => c.id)).toEqual(['a']);
    expect(state.dataOptOuts.map((c) => c.id)).toEqual(['b']);
    expect(changeApplies('opt-out', state)).toBe(false);
    expect(changeApplies('opt-in', state)).toBe(true);
    expect(changeApplies('stop-sharing', state)).toBe(false);
    expect(changeApplies('share-again', { objections: [], dataOptOuts: [] })).toBe(false);
  });

  it('states each change’s effect before the patient confirms', () => {
    expect(optOutChange('opt-out')).toBe('opt-out');
    expect(optOutChange('delete-everything')).toBeUndefined();
    const stop = CHANGES['stop-sharing'].effects.join(' ');
    for (const words of ['hospital', 'community nurses', 'mental health', 'social care', 'ambulance']) {
      expect(stop).toContain(words);
    }
    expect(stop).toContain('Your GP practice still sees its own record');
    expect(stop).toContain('recorded and shown in your access log');
    expect(stop).toContain('medicines, allergies');
    const ndoo = CHANGES['opt-out'].effects.join(' ');
    expect(ndoo).toContain('never affects your care');
    expect(ndoo).toContain('pseudonymised');
    expect(ndoo).toContain('nhs.uk/your-nhs-data-matters');
    expect(ndoo).toContain('recorded nationally');
  });
});
