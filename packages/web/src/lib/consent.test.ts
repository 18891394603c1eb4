import { describe, expect, it } from 'vitest';
import { consentFor, describeProvision, inForce } from './consent.ts';

describe('sharing choices as Consent resources (docs/ACCESS.md)', () => {
  const today = new Date('2026-11-25T10:00:00Z');

  it('writes a deny for one organisation and some categories', () => {
    const consent = consentFor(
      'pat-1',
      {
        effect: 'deny',
        actor: { reference: 'Organization/org-rvy', display: 'The hospital' },
        categories: ['mental-health'],
      },
      today,
    );
    expect(consent).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      patient: { reference: 'Patient/pat-1' },
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      provision: {
        type: 'deny',
        period: { start: '2026-11-25' },
        actor: [{ reference: { reference: 'Organization/org-rvy' } }],
        code: [
          { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/data-category', code: 'mental-health' }] },
        ],
      },
    });
    expect(describeProvision(consent.provision!)).toBe('The hospital cannot see your mental health information.');
  });

  it('writes a time-limited permit for a carer, and an opt-out with no actor or code', () => {
    const carer = consentFor(
      'pat-1',
      {
        effect: 'permit',
        actor: { reference: 'RelatedPerson/rp-1', display: 'Jess' },
        categories: ['medications', 'encounters'],
        end: '2027-03-01',
      },
      today,
    );
    expect(carer.provision!.period).toEqual({ start: '2026-11-25', end: '2027-03-01T23:59:59Z' });
    expect(describeProvision(carer.provision!)).toBe(
      'Jess can see your medicines and visits and hospital stays until 1 March 2027.',
    );
    const optOut = consentFor('pat-1', { effect: 'deny', categories: [] }, today);
    expect(optOut.provision!.actor).toBeUndefined();
    expect(optOut.provision!.code).toBeUndefined();
    expect(describeProvision(optOut.provision!)).toBe(
      'Everyone outside the organisation that holds it cannot see all of your record.',
    );
    expect(inForce({ ...carer, status: 'inactive' })).toBe(false);
    expect(inForce(carer, Date.parse('2027-03-02'))).toBe(false);
  });

  it("shares with an organisation's staff in one job role only", () => {
    const consent = consentFor(
      'pat-1',
      {
        effect: 'permit',
        actor: { reference: 'Organization/org-home', display: 'Ormskirk Lodge', role: 'R8001' },
        categories: ['medications'],
        end: '2027-01-06',
      },
      today,
    );
    expect(consent.provision!.actor![0]).toMatchObject({
      extension: [
        {
          url: 'https://careweave.example/fhir/StructureDefinition/recipient-job-role',
          valueCoding: { system: 'https://careweave.example/fhir/CodeSystem/rbac-job-role', code: 'R8001' },
        },
      ],
      reference: { reference: 'Organization/org-home' },
    });
    expect(describeProvision(consent.provision!)).toBe(
      'Ormskirk Lodge (nurses only) can see your medicines until 6 January 2027.',
    );
  });

  it('names actors the Consent does not name itself', () => {
    const provision = {
      type: 'permit' as const,
      actor: [{ role: {}, reference: { reference: 'RelatedPerson/rp-demo-carer' } }],
    };
    expect(
      describeProvision(provision, (ref) =>
        ref === 'RelatedPerson/rp-demo-carer' ? 'Jess Carter (your carer)' : undefined,
      ),
    ).toBe('Jess Carter (your carer) can see all of your record.');
  });
});
