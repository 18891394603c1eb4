/**
 * `POST ServiceRequest/{id}/$send-referral`: sends a draft referral to the service the patient chose
 * from the shortlist — book now, defer to the provider, send for triage, or ask for advice. Answers
 * the UBRN and, this once, the password for the patient's appointment request letter.
 */
import type { ParametersParameter } from '@medplum/fhirtypes';
import { defineOperation } from '../../../fhir/operations/define.ts';
import type { LifecycleDeps } from './deps.ts';

export const SEND_REFERRAL = defineOperation<LifecycleDeps>({
  code: 'send-referral',
  name: 'ServiceRequestSendReferral',
  title: 'Send a referral',
  description:
    'Sends a draft electronic referral to `service` (a HealthcareService id from its shortlist) with `action` ' +
    'book | defer | triage | advice. The specialty form must be attached and valid; a red flag answered yes needs ' +
    'the two-week-wait priority. Assigns the UBRN, makes the request active and files the provider’s Task; `book` ' +
    'books `slot` (or the first free slot) inside the booking window, or puts the referral on the slot-issues ' +
    'worklist. Returns `ubrn`, `letterPassword` (shown once, never again), `businessStatus`, `task` and ' +
    '`appointment`.',
  levels: ['instance'],
  resourceTypes: ['ServiceRequest'],
  affectsState: true,
  parameters: [
    { name: 'service', use: 'in', min: 1, max: 1, type: 'string', documentation: 'HealthcareService id' },
    { name: 'action', use: 'in', min: 1, max: 1, type: 'code', documentation: 'book | defer | triage | advice' },
    { name: 'slot', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Slot id (book)' },
    { name: 'ubrn', use: 'out', min: 1, max: 1, type: 'string' },
    { name: 'letterPassword', use: 'out', min: 1, max: 1, type: 'string' },
    { name: 'businessStatus', use: 'out', min: 1, max: 1, type: 'code' },
    { name: 'task', use: 'out', min: 1, max: 1, type: 'Reference', targetTypes: ['Task'] },
    { name: 'appointment', use: 'out', min: 0, max: 1, type: 'Reference', targetTypes: ['Appointment'] },
  ],
  scopes: [
    { resourceType: 'ServiceRequest', interaction: 'u' },
    { resourceType: 'Task', interaction: 'c' },
  ],
  handler: async ({ request, deps, id, input }) => {
    const sent = await deps.lifecycle.send(deps.actorOf(request), id!, {
      serviceId: input.string('service'),
      action: input.string('action'),
      ...(input.string('slot') ? { slotId: input.string('slot') } : {}),
    });
    const parameter: ParametersParameter[] = [
      { name: 'ubrn', valueString: sent.ubrn ?? '' },
      { name: 'letterPassword', valueString: sent.letterPassword },
      { name: 'businessStatus', valueCode: sent.businessStatus ?? '' },
      { name: 'task', valueReference: { reference: sent.task ?? '' } },
      ...(sent.appointment ? [{ name: 'appointment', valueReference: { reference: sent.appointment } }] : []),
    ];
    return { resourceType: 'Parameters', parameter };
  },
});
