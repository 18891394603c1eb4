/**
 * Pathway booking's demo data (idempotent): the knee pain booking pathway template (first
 * appointment with the referral's service, imaging 1–4 weeks later, follow-up 2–6 weeks after the
 * imaging), the community MSK imaging service it books (not a referral specialty, so it is never
 * offered on a shortlist: it is booked only as a step of a pathway), and the pathway booked for the
 * demo patient's MSK referral, keeping the appointment the referral already has as its first step.
 */
import type { HealthcareService, PlanDefinition, Resource, Schedule, ServiceRequest, Slot } from '@medplum/fhirtypes';
import type { RelatedPerson } from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { CATEGORY, searchAs, SPECIALTY_SYSTEM } from '../lifecycle/vocabulary.ts';
import type { PathwayBookingService } from './pathway-booking.service.ts';
import { ACTION_SERVICE_EXTENSION, BOOKING_PATHWAY_BASE, STEP_SYSTEM, WORKFLOW_TYPE } from './template.ts';

export const IMAGING_SERVICE = 'hs-ref-msk-imaging';
const SITE = { reference: 'Location/loc-ref-skelmersdale', display: 'Skelmersdale Health Centre' };
const PROVIDER = { reference: 'Organization/org-8wl01' };
export const KNEE_PATHWAY_URL = `${BOOKING_PATHWAY_BASE}knee-pain`;

const days = (value: number) => ({ value, unit: 'd', system: 'http://unitsofmeasure.org', code: 'd' });
const step = (code: string, display: string) => [{ coding: [{ system: STEP_SYSTEM, code, display }] }];

export const KNEE_PATHWAY: PlanDefinition = {
  resourceType: 'PlanDefinition',
  id: 'booking-pathway-knee-pain',
  url: KNEE_PATHWAY_URL,
  version: '1.0',
  name: 'KneePainBookingPathway',
  title: 'Knee pain: assessment, imaging and follow-up',
  status: 'active',
  date: '2026-09-01',
  publisher: 'NHS West Lancashire CCG',
  type: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/plan-definition-type', code: WORKFLOW_TYPE }],
  },
  description:
    'Once the referral is accepted, every appointment of the knee pain pathway is booked at once: the first ' +
    'appointment, imaging one to four weeks later, and a follow-up two to six weeks after the imaging.',
  action: [
    { id: 'first-appointment', title: 'First appointment', code: step('first-appointment', 'First appointment') },
    {
      id: 'diagnostics',
      title: 'Knee X-ray or MRI',
      code: step('diagnostics', 'Diagnostics'),
      extension: [
        { url: ACTION_SERVICE_EXTENSION, valueReference: { reference: `HealthcareService/${IMAGING_SERVICE}` } },
      ],
      relatedAction: [
        { actionId: 'first-appointment', relationship: 'after-start', offsetRange: { low: days(7), high: days(28) } },
      ],
    },
    {
      id: 'follow-up',
      title: 'Follow-up appointment',
      code: step('follow-up', 'Follow-up'),
      relatedAction: [
        { actionId: 'diagnostics', relationship: 'after-start', offsetRange: { low: days(14), high: days(42) } },
      ],
    },
  ],
};

/** The imaging service, its diary and `weeks` of weekday slots (8 a day, 20 minutes, from 3 days ahead). */
export function imagingResources(now: Date, weeks = 13): Resource[] {
  const type = [{ text: 'Diagnostic imaging (X-ray and MRI)' }];
  const service: HealthcareService = {
    resourceType: 'HealthcareService',
    id: IMAGING_SERVICE,
    active: true,
    providedBy: PROVIDER,
    name: 'Community MSK imaging (X-ray and MRI), Skelmersdale',
    type,
    location: [SITE],
    appointmentRequired: true,
  };
  const schedule: Schedule = {
    resourceType: 'Schedule',
    id: `sch-${IMAGING_SERVICE}`,
    meta: { source: PROVIDER.reference },
    active: true,
    serviceType: type,
    actor: [{ reference: `HealthcareService/${IMAGING_SERVICE}`, display: service.name! }, SITE],
    comment: service.name!,
  };
  const slots: Slot[] = [];
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 3);
  for (let day = 0; day < weeks * 7; day++) {
    const date = new Date(first + day * 86_400_000);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) {
      continue;
    }
    for (let n = 0; n < 8; n++) {
      const start = new Date(date.getTime() + 9 * 3_600_000 + n * 20 * 60_000);
      slots.push({
        resourceType: 'Slot',
        id: `slot-msk-imaging-${start.toISOString().slice(0, 16).replace(/[-:T]/g, '')}`,
        meta: { source: PROVIDER.reference },
        serviceType: type,
        schedule: { reference: `Schedule/${schedule.id}` },
        status: 'free',
        start: start.toISOString(),
        end: new Date(start.getTime() + 20 * 60_000).toISOString(),
      });
    }
  }
  return [service, schedule, ...slots];
}

/** The template and the imaging service, when missing; returns how many resources were written. */
export async function seedPathwayTemplates(system: ResourceService, now: Date, weeks = 13): Promise<number> {
  const known = await searchAs<Resource>(system, 'HealthcareService', [['_id', IMAGING_SERVICE]]);
  const template = await searchAs<Resource>(system, 'PlanDefinition', [['_id', KNEE_PATHWAY.id!]]);
  const resources = [...(template.length ? [] : [KNEE_PATHWAY]), ...(known.length ? [] : imagingResources(now, weeks))];
  if (resources.length) {
    await system.transaction((tx) =>
      tx.writeMany(resources.map((resource) => ({ resource, method: 'update' as const }))),
    );
  }
  return resources.length;
}

/** Books the knee pathway for the demo patient's active MSK referral, once; returns what it did. */
export async function seedDemoPathway(
  system: ResourceService,
  service: PathwayBookingService,
  actor: Actor,
): Promise<string> {
  const carer = await system.read('RelatedPerson', 'rp-demo-carer').catch(() => undefined);
  const patient = carer?.json ? (JSON.parse(carer.json) as RelatedPerson).patient.reference : undefined;
  if (!patient) {
    return '';
  }
  const referrals = await searchAs<ServiceRequest>(system, 'ServiceRequest', [
    ['subject', patient],
    ['category', `${CATEGORY.coding![0]!.system}|${CATEGORY.coding![0]!.code}`],
    ['code', `${SPECIALTY_SYSTEM}|msk`],
    ['status', 'active'],
    ['_count', '5'],
  ]);
  const referral = referrals[0];
  if (!referral) {
    return '';
  }
  const plans = await searchAs<Resource>(system, 'CarePlan', [['based-on', `ServiceRequest/${referral.id}`]]);
  if (plans.length) {
    return '';
  }
  const booked = await service.bookPathway(actor, referral.id!, { pathway: KNEE_PATHWAY_URL });
  return `Pathway booking: the demo patient's knee pain pathway (${booked.steps.length} appointments)`;
}
