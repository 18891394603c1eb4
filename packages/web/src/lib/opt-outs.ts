import type { Consent } from '@medplum/fhirtypes';
import { consentFor, inForce } from './consent.ts';

/**
 * The two kinds of opt-out (docs/ACCESS.md, *Two kinds of opt-out*), as the portal records and
 * explains them:
 * - the objection to the shared care record: a `patient-privacy` deny for everyone and every
 *   category (the same Consent as any other sharing choice, lib/consent.ts);
 * - the National Data Opt-out: a Consent scoped `research` naming the national policy, a deny for
 *   research (HRESCH) and planning (CAREMGT). It never affects direct care.
 */
export const NDOO_POLICY_URI = 'https://digital.nhs.uk/services/national-data-opt-out';
export const NATIONAL_SERVICE_URL = 'https://www.nhs.uk/your-nhs-data-matters/';
const SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

const hasScope = (consent: Consent, code: string): boolean =>
  (consent.scope?.coding ?? []).some((c) => c.code === code && (!c.system || c.system === SCOPE_SYSTEM));

/** The patient's National Data Opt-out, as the server derives it (server: access/data-opt-out.ts). */
export function nationalDataOptOut(patientId: string, today = new Date()): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: SCOPE_SYSTEM, code: 'research', display: 'Research' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: today.toISOString(),
    performer: [{ reference: `Patient/${patientId}` }],
    policy: [{ authority: 'https://digital.nhs.uk', uri: NDOO_POLICY_URI }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: {
      type: 'deny',
      period: { start: today.toISOString().slice(0, 10) },
      purpose: [
        { system: ACT_REASON, code: 'HRESCH', display: 'healthcare research' },
        { system: ACT_REASON, code: 'CAREMGT', display: 'care management' },
      ],
    },
  };
}

/** The objection to the shared care record: stop everyone outside the organisation that holds it. */
export function sharedRecordObjection(patientId: string, today = new Date()): Consent {
  return consentFor(patientId, { effect: 'deny', categories: [] }, today);
}

/** Whether a Consent is a National Data Opt-out in force. */
export function isNationalDataOptOut(consent: Consent, now = Date.now()): boolean {
  return (
    inForce(consent, now) &&
    hasScope(consent, 'research') &&
    consent.provision?.type === 'deny' &&
    (consent.policy ?? []).some((p) => p.uri === NDOO_POLICY_URI)
  );
}

/** Whether a Consent is the objection to the shared care record in force: a deny for everyone, of everything. */
export function isSharedRecordObjection(consent: Consent, now = Date.now()): boolean {
  const provision = consent.provision;
  return (
    inForce(consent, now) &&
    hasScope(consent, 'patient-privacy') &&
    provision?.type === 'deny' &&
    !provision.actor?.length &&
    !provision.code?.length &&
    !provision.provision?.length
  );
}

/** The patient's two opt-outs in force, from their Consents (several of each are possible). */
export function optOutsIn(
  consents: readonly Consent[],
  now = Date.now(),
): { objections: Consent[]; dataOptOuts: Consent[] } {
  return {
    objections: consents.filter((c) => isSharedRecordObjection(c, now)),
    dataOptOuts: consents.filter((c) => isNationalDataOptOut(c, now)),
  };
}

/** Withdrawing a choice: the Consent stays, inactive (the server keeps every version). */
export const withdrawn = (consent: Consent): Consent => ({ ...consent, status: 'inactive' });

export type OptOutChange = 'stop-sharing' | 'share-again' | 'opt-out' | 'opt-in';
export const OPT_OUT_CHANGES: readonly OptOutChange[] = ['stop-sharing', 'share-again', 'opt-out', 'opt-in'];

export interface ChangeWording {
  /** Which choice this is (the page's caption). */
  choice: string;
  /** What the patient is about to do (the confirmation page's heading). */
  action: string;
  /** What it will do, in the portal's words, one point each. */
  effects: string[];
  /** Said once it is saved. */
  done: string;
}

const CARE = 'Sharing your record for your care';
const RESEARCH = 'Using your information for research and planning';

/** What each change does, in the words the confirmation page uses before the patient confirms. */
export const CHANGES: Record<OptOutChange, ChangeWording> = {
  'stop-sharing': {
    choice: CARE,
    action: 'Stop sharing your record for your care',
    effects: [
      'Other organisations caring for you, such as your hospital, community nurses, mental health services, social care and the ambulance service, will no longer see your GP record, or each other’s records about you, through CareWeave.',
      'Your GP practice still sees its own record about you. Each organisation still sees the record it holds.',
      'In an emergency, a clinician can still open your record. They must give a reason, which is recorded and shown in your access log.',
      'The people caring for you may not know about your medicines, allergies or recent care. This could affect the care you get.',
      'This does not change whether your information is used for research and planning. That is a separate choice.',
    ],
    done: 'You have stopped sharing your record for your care.',
  },
  'share-again': {
    choice: CARE,
    action: 'Share your record for your care again',
    effects: [
      'Organisations caring for you will be able to see your record through CareWeave again, where they have agreed to share it with each other.',
      'Any other choices you have made, such as stopping one organisation seeing some of your record, still apply.',
    ],
    done: 'Your record is shared for your care again.',
  },
  'opt-out': {
    choice: RESEARCH,
    action: 'Opt out of research and planning',
    effects: [
      'Your information will not be used through CareWeave for research, or for planning and paying for health and care services (commissioning). This includes pseudonymised exports, where your name and other details are replaced with a code.',
      'It never affects your care. The people caring for you still see your record as they do now.',
      'In the NHS, this choice (the National Data Opt-out) is recorded nationally, at nhs.uk/your-nhs-data-matters. CareWeave keeps its own record of your choice and honours it. To make the same choice for the rest of the NHS, use the national service too.',
    ],
    done: 'You have opted out of research and planning.',
  },
  'opt-in': {
    choice: RESEARCH,
    action: 'Opt back in to research and planning',
    effects: [
      'Your information can be used through CareWeave for research, and for planning and paying for health and care services, again.',
      'It does not change who can see your record for your care.',
      'If you have also opted out nationally, change that at nhs.uk/your-nhs-data-matters.',
    ],
    done: 'You have opted back in to research and planning.',
  },
};

/** A change named in the page address (`?confirm=…`), if it is one. */
export function optOutChange(value: string | null): OptOutChange | undefined {
  return OPT_OUT_CHANGES.find((change) => change === value);
}

/** Whether a change makes sense now (an opt-out only when not opted out, and so on). */
export function changeApplies(change: OptOutChange, state: { objections: Consent[]; dataOptOuts: Consent[] }): boolean {
  switch (change) {
    case 'stop-sharing':
      return state.objections.length === 0;
    case 'share-again':
      return state.objections.length > 0;
    case 'opt-out':
      return state.dataOptOuts.length === 0;
    case 'opt-in':
      return state.dataOptOuts.length > 0;
  }
}
