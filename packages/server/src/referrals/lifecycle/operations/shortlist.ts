/**
 * `POST ServiceRequest/{id}/$shortlist`: up to five eligible services for a draft referral, with
 * indicative waits and distances (docs/REFERRALS.md, "Lifecycle"). The services offered are recorded
 * on the request; the patient's choice is sent with `$send-referral`.
 */
import { defineOperation } from '../../../fhir/operations/define.ts';
import type { LifecycleDeps } from './deps.ts';

export const SHORTLIST = defineOperation<LifecycleDeps>({
  code: 'shortlist',
  name: 'ServiceRequestShortlist',
  title: 'Shortlist services for a referral',
  description:
    "Searches the directory for the draft referral's specialty and priority, for its patient, and records up to " +
    'CAREWEAVE_REFERRALS_SHORTLIST_SIZE (5) eligible services on the request. Returns `option` parts: `service` ' +
    '(HealthcareService), `provider`, `waitDays`, `distanceKm`, `directlyBookable`, `triage`. Staff who may change ' +
    'the request only; a request the caller may not see answers 404; one already sent 409.',
  levels: ['instance'],
  resourceTypes: ['ServiceRequest'],
  affectsState: true,
  parameters: [
    {
      name: 'option',
      use: 'out',
      min: 0,
      max: '*',
      part: [
        { name: 'service', use: 'out', min: 1, max: 1, type: 'Reference', targetTypes: ['HealthcareService'] },
        { name: 'provider', use: 'out', min: 1, max: 1, type: 'Reference', targetTypes: ['Organization'] },
        { name: 'waitDays', use: 'out', min: 0, max: 1, type: 'integer' },
        { name: 'distanceKm', use: 'out', min: 0, max: 1, type: 'decimal' },
        { name: 'directlyBookable', use: 'out', min: 1, max: 1, type: 'boolean' },
        { name: 'triage', use: 'out', min: 1, max: 1, type: 'boolean' },
      ],
    },
  ],
  scopes: [{ resourceType: 'ServiceRequest', interaction: 'u' }],
  handler: async ({ request, deps, id }) => {
    const { options } = await deps.lifecycle.shortlist(deps.actorOf(request), id!);
    return {
      resourceType: 'Parameters',
      parameter: options.map((o) => ({
        name: 'option',
        part: [
          { name: 'service', valueReference: { reference: `HealthcareService/${o.serviceId}`, display: o.name } },
          {
            name: 'provider',
            valueReference: { reference: `Organization/${o.provider.id}`, display: o.provider.name },
          },
          ...(o.indicativeWaitDays !== undefined ? [{ name: 'waitDays', valueInteger: o.indicativeWaitDays }] : []),
          ...(o.distanceKm !== undefined ? [{ name: 'distanceKm', valueDecimal: o.distanceKm }] : []),
          { name: 'directlyBookable', valueBoolean: o.directlyBookable },
          { name: 'triage', valueBoolean: o.triage },
        ],
      })),
    };
  },
});
