/**
 * The directory of services (docs/REFERRALS.md, "Directory"): services of a specialty with their
 * provider, site, indicative wait (from real free slots), distance from the patient's postcode and
 * eligibility; and a service's free slots. Everything is read through the caller's view of the record
 * (the directory is public to everyone signed in; the patient is not), so a patient the caller may not
 * see answers as absent (404) and every read is audited.
 */
import type {
  Bundle,
  HealthcareService,
  Location,
  Organization,
  Patient,
  Resource,
  Schedule,
  Slot,
} from '@medplum/fhirtypes';
import type { Actor } from '../../access/actor.ts';
import { requireActor } from '../../access/guards.ts';
import type { Queryable } from '../../db/database.ts';
import { fail } from '../../fhir/outcome.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { eligibility, type PatientFacts } from './eligibility.ts';
import { distanceKm, type PostcodeCentroids } from './geography.ts';
import {
  CLINIC_TYPE_SYSTEM,
  idOf,
  isSpecialty,
  rulesOf,
  SPECIALTY_SYSTEM,
  SPECIALTIES,
  PRIORITIES,
  type Priority,
} from './vocabulary.ts';
import type { ServiceOption, ServiceQuery } from './types.ts';

const DAY_MS = 86_400_000;
/** Services of one specialty a search looks at (the area has tens; a region a few hundred). */
const MAX_SERVICES = 500;
const DEFAULT_LIMIT = 20;

export interface DirectoryDeps {
  recordAs(actor: Actor): ResourceService;
  /** The module's tables (the slot mirror). */
  db: Queryable;
  centroids: PostcodeCentroids;
  now?: () => Date;
}

export class DirectoryService {
  private readonly deps: DirectoryDeps;

  constructor(deps: DirectoryDeps) {
    this.deps = deps;
  }

  async search(actor: Actor, query: ServiceQuery): Promise<ServiceOption[]> {
    requireActor(actor);
    if (!isSpecialty(query.specialty)) {
      return fail('invalid', `Unknown specialty '${query.specialty}': one of ${Object.keys(SPECIALTIES).join(', ')}`, [
        'specialty',
      ]);
    }
    if (query.priority !== undefined && !PRIORITIES.includes(query.priority)) {
      return fail('invalid', `Unknown priority '${String(query.priority)}': one of ${PRIORITIES.join(', ')}`, [
        'priority',
      ]);
    }
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), 100);
    const priority: Priority = query.priority ?? 'routine';
    const record = this.deps.recordAs(actor);
    const now = this.deps.now?.() ?? new Date();
    // The patient and the caller's search for the services (with their sites and providers) at once:
    // independent reads, each its own round trips.
    const [patient, found] = await Promise.all([
      query.patientId
        ? record.read('Patient', query.patientId).then((stored) => factsOf(parse<Patient>(stored.json)))
        : undefined,
      record.search('HealthcareService', [
        ['specialty', `${SPECIALTY_SYSTEM}|${query.specialty}`],
        ['active', 'true'],
        ...(query.clinicType
          ? ([['service-type', `${CLINIC_TYPE_SYSTEM}|${query.clinicType}`]] as [string, string][])
          : []),
        ['_include', 'HealthcareService:location'],
        ['_include', 'HealthcareService:organization'],
        ['_count', String(MAX_SERVICES)],
      ]),
    ]);
    const services = resourcesOf<HealthcareService>(found, 'HealthcareService');
    if (!services.length) {
      return [];
    }
    const locations = byId(resourcesOf<Location>(found, 'Location'));
    const organizations = byId(resourcesOf<Organization>(found, 'Organization'));
    const firstFree = await this.firstFreeByService(services, now);
    const home = this.deps.centroids.of(patient?.postcode);
    const options = services.map((service): ServiceOption => {
      const rules = rulesOf(service);
      const location = locations.get(idOf(service.location?.[0]?.reference));
      const organization = organizations.get(idOf(service.providedBy?.reference));
      const postcode = location?.address?.postalCode;
      const site = location?.position
        ? { latitude: location.position.latitude, longitude: location.position.longitude }
        : this.deps.centroids.of(postcode);
      const slot = firstFree.get(service.id!);
      return {
        serviceId: service.id!,
        name: service.name ?? 'Unnamed service',
        provider: {
          id: idOf(service.providedBy?.reference),
          name: organization?.name ?? service.providedBy?.display ?? '',
        },
        ...(location
          ? { location: { id: location.id!, name: location.name ?? '', ...(postcode ? { postcode } : {}) } }
          : {}),
        ...(home && site ? { distanceKm: distanceKm(home, site) } : {}),
        ...(slot
          ? {
              indicativeWaitDays: Math.max(0, Math.ceil((slot.start.getTime() - now.getTime()) / DAY_MS)),
              firstFreeSlot: { id: slot.id, start: slot.start.toISOString() },
            }
          : {}),
        directlyBookable: rules.directlyBookable,
        triage: rules.triage,
        ...eligibility(rules, priority, patient, now),
      };
    });
    return options.sort(byPreference).slice(0, limit);
  }

  /** A service's free slots from now (or `from`), soonest first, through the caller's view. */
  async freeSlots(
    actor: Actor,
    serviceId: string,
    window: { from?: string; to?: string; limit?: number } = {},
  ): Promise<Slot[]> {
    requireActor(actor);
    const record = this.deps.recordAs(actor);
    await record.read('HealthcareService', serviceId);
    const schedules = await this.schedulesOf(record, [serviceId]);
    if (!schedules.length) {
      return [];
    }
    const now = this.deps.now?.() ?? new Date();
    const from = window.from && Date.parse(window.from) > now.getTime() ? window.from : now.toISOString();
    const bundle = await record.search('Slot', [
      ['schedule', schedules.map((s) => `Schedule/${s.id}`).join(',')],
      ['status', 'free'],
      ['start', `ge${from}`],
      ...(window.to ? ([['start', `lt${window.to}`]] as [string, string][]) : []),
      ['_sort', 'start'],
      ['_count', String(Math.min(Math.max(window.limit ?? 20, 1), 100))],
    ]);
    return resourcesOf<Slot>(bundle, 'Slot');
  }

  /**
   * The first free slot of each service, from the module's mirrors of free slots and of services'
   * schedules (public directory data, kept in step with every Slot and Schedule write): one query, an
   * index seek per schedule.
   */
  private async firstFreeByService(
    services: readonly HealthcareService[],
    now: Date,
  ): Promise<Map<string, { id: string; start: Date }>> {
    const rows = await this.deps.db.query<{ service_id: string; slot_id: string; start_at: Date | string }>(
      `select ss.service_id, f.slot_id, f.start_at
         from referrals_schedule_service ss
         cross join lateral (select slot_id, start_at from referrals_free_slot
                              where schedule_id = ss.schedule_id and start_at >= $2
                              order by start_at limit 1) f
        where ss.service_id = any($1::text[])`,
      [services.map((s) => s.id!), now.toISOString()],
    );
    const first = new Map<string, { id: string; start: Date }>();
    for (const row of rows) {
      const start = new Date(row.start_at);
      const known = first.get(row.service_id);
      if (!known || start < known.start) {
        first.set(row.service_id, { id: row.slot_id, start });
      }
    }
    return first;
  }

  private async schedulesOf(record: ResourceService, serviceIds: readonly string[]): Promise<Schedule[]> {
    const bundle = await record.search('Schedule', [
      ['actor', serviceIds.map((id) => `HealthcareService/${id}`).join(',')],
      ['active', 'true'],
      ['_count', String(MAX_SERVICES * 4)],
    ]);
    return resourcesOf<Schedule>(bundle, 'Schedule');
  }
}

/** Eligible first; then the shortest wait (no free slot last); then the nearest; then by name. */
function byPreference(a: ServiceOption, b: ServiceOption): number {
  return (
    Number(b.eligible) - Number(a.eligible) ||
    (a.indicativeWaitDays ?? Infinity) - (b.indicativeWaitDays ?? Infinity) ||
    (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) ||
    a.name.localeCompare(b.name)
  );
}

function factsOf(patient: Patient): PatientFacts {
  const home = patient.address?.find((a) => a.use === 'home' && !a.period?.end) ?? patient.address?.[0];
  const practice = patient.generalPractitioner?.find((g) => g.reference?.startsWith('Organization/'));
  return {
    birthDate: patient.birthDate,
    postcode: home?.postalCode,
    gpPractice: practice ? idOf(practice.reference) : undefined,
  };
}

function resourcesOf<T extends Resource>(bundle: Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === type ? [e.resource as T] : []));
}

function byId<T extends Resource>(resources: readonly T[]): Map<string, T> {
  return new Map(resources.map((r) => [r.id!, r]));
}

function parse<T>(json: string | null | undefined): T {
  return JSON.parse(json ?? '{}') as T;
}
