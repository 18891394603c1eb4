/**
 * The patient's referral appointments and letters, read through the FHIR API as the patient (or their
 * carer): what the server lets them see is all there is. Changing and cancelling go through the
 * referral module's operations (`Appointment/$reschedule`, `$cancel-referral-appointment`), which move a
 * pathway's later appointments too, in one transaction.
 */
import type {
  Appointment,
  CarePlan,
  Communication,
  HealthcareService,
  Location,
  Schedule,
  ServiceRequest,
  Slot,
} from '@medplum/fhirtypes';
import { FHIR_BASE, api, parameters, searchAll } from '../../../api/client.ts';
import { refId } from '../../../lib/fhir-display.ts';

const REFERRAL_SYSTEM = 'https://careweave.example/fhir/CodeSystem/electronic-referral';
const LETTER = `${REFERRAL_SYSTEM}|referral-outcome-letter`;
const UBRN_SYSTEM = 'https://careweave.example/fhir/Id/ubrn';

export interface ReferralAppointment {
  appointment: Appointment;
  service?: HealthcareService;
  serviceId?: string;
  place: string;
  /** The pathway step ("Knee X-ray or MRI") when the appointment is part of a booked pathway. */
  step?: string;
  pathway?: string;
}

export interface ReferralLetter {
  id: string;
  sent?: string;
  text: string;
  ubrn?: string;
}

export interface ReferralsView {
  appointments: ReferralAppointment[];
  letters: ReferralLetter[];
}

const participant = (appointment: Appointment, type: string): string | undefined =>
  appointment.participant?.map((p) => refId(p.actor, type)).find(Boolean);

/** Appointments with a referral service (a HealthcareService among the participants), newest first. */
export async function loadReferrals(patientId: string): Promise<ReferralsView> {
  const [appointments, letters, plans, requests] = await Promise.all([
    searchAll<Appointment>(
      'Appointment',
      { patient: `Patient/${patientId}`, _sort: '-date', _count: '200' },
      { maxPages: 3 },
    ),
    searchAll<Communication>(
      'Communication',
      { subject: `Patient/${patientId}`, category: LETTER, _count: '50' },
      { maxPages: 1 },
    ),
    searchAll<CarePlan>(
      'CarePlan',
      { subject: `Patient/${patientId}`, status: 'active', _count: '50' },
      { maxPages: 1 },
    ),
    searchAll<ServiceRequest>('ServiceRequest', { subject: `Patient/${patientId}`, _count: '100' }, { maxPages: 1 }),
  ]);
  const referralAppointments = appointments.resources.filter((a) => participant(a, 'HealthcareService'));
  const serviceIds = [...new Set(referralAppointments.map((a) => participant(a, 'HealthcareService')!))];
  const services = serviceIds.length
    ? await searchAll<HealthcareService>(
        'HealthcareService',
        { _id: serviceIds.join(','), _count: '100' },
        { maxPages: 1 },
      )
    : { resources: [] };
  const locationIds = [
    ...new Set(services.resources.flatMap((s) => (s.location ?? []).map((l) => refId(l, 'Location') ?? ''))),
  ].filter(Boolean);
  const locations = locationIds.length
    ? await searchAll<Location>('Location', { _id: locationIds.join(','), _count: '100' }, { maxPages: 1 })
    : { resources: [] };
  const steps = pathwaySteps(plans.resources);
  return {
    appointments: referralAppointments.map((appointment) => {
      const serviceId = participant(appointment, 'HealthcareService');
      const service = services.resources.find((s) => s.id === serviceId);
      const locationId = participant(appointment, 'Location') ?? refId(service?.location?.[0], 'Location');
      const location = locations.resources.find((l) => l.id === locationId);
      const placeName =
        appointment.participant?.find((p) => p.actor?.reference === `Location/${locationId}`)?.actor?.display ??
        location?.name ??
        service?.location?.[0]?.display ??
        '';
      const address = [location?.address?.line?.[0], location?.address?.city, location?.address?.postalCode];
      return {
        appointment,
        ...(service ? { service } : {}),
        ...(serviceId ? { serviceId } : {}),
        place: [placeName, ...address].filter(Boolean).join(', '),
        ...(steps.get(appointment.id ?? '') ?? {}),
      };
    }),
    letters: letters.resources
      .map((c) => ({
        id: c.id ?? '',
        ...(c.sent ? { sent: c.sent } : {}),
        text: c.payload?.map((p) => p.contentString ?? '').join('\n\n') ?? '',
        ...ubrnOf(c, requests.resources),
      }))
      .sort((a, b) => (b.sent ?? '').localeCompare(a.sent ?? '')),
  };
}

/** Which step of which pathway each appointment is (the CarePlan's activities name them). */
function pathwaySteps(plans: readonly CarePlan[]): Map<string, { step: string; pathway: string }> {
  const steps = new Map<string, { step: string; pathway: string }>();
  for (const plan of plans) {
    for (const activity of plan.activity ?? []) {
      const id = refId(activity.reference, 'Appointment');
      const step = activity.extension?.find((e) => e.url.endsWith('/pathway-booking-step'))?.valueString;
      if (id && step) {
        steps.set(id, { step: stepTitle(step), pathway: plan.title ?? 'Your pathway' });
      }
    }
  }
  return steps;
}

const STEP_TITLES: Readonly<Record<string, string>> = {
  'first-appointment': 'First appointment',
  diagnostics: 'Tests (diagnostics)',
  'follow-up': 'Follow-up appointment',
};
const stepTitle = (step: string): string => STEP_TITLES[step] ?? step.replace(/-/g, ' ');

function ubrnOf(letter: Communication, requests: readonly ServiceRequest[]): { ubrn?: string } {
  const requestId = letter.basedOn?.map((b) => refId(b, 'ServiceRequest')).find(Boolean);
  const ubrn = requests.find((r) => r.id === requestId)?.identifier?.find((i) => i.system === UBRN_SYSTEM)?.value;
  return ubrn ? { ubrn } : {};
}

/** Free times of the appointment's service from now on, soonest first (the service's diaries). */
export async function loadFreeSlots(serviceId: string): Promise<Slot[]> {
  const schedules = await searchAll<Schedule>(
    'Schedule',
    { actor: `HealthcareService/${serviceId}`, active: 'true', _count: '20' },
    { maxPages: 1 },
  );
  if (!schedules.resources.length) {
    return [];
  }
  const free = await searchAll<Slot>(
    'Slot',
    {
      schedule: schedules.resources.map((s) => `Schedule/${s.id}`).join(','),
      status: 'free',
      start: `ge${new Date().toISOString()}`,
      _sort: 'start',
      _count: '200',
    },
    { maxPages: 1 },
  );
  return free.resources;
}

export const rescheduleAppointment = (appointmentId: string, slotId: string) =>
  api(`${FHIR_BASE}/Appointment/${appointmentId}/$reschedule`, {
    method: 'POST',
    body: parameters({ slot: { reference: `Slot/${slotId}` } }),
  });

export const cancelReferralAppointment = (appointmentId: string) =>
  api(`${FHIR_BASE}/Appointment/${appointmentId}/$cancel-referral-appointment`, {
    method: 'POST',
    body: parameters({ reason: 'Cancelled online by the patient' }),
  });

export const serviceName = (item: ReferralAppointment): string =>
  item.service?.name ?? item.appointment.description ?? 'Hospital or clinic appointment';
