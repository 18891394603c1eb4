/**
 * The directory's demo data (docs/REFERRALS.md, "Directory"): the area's referral services — MSK and
 * orthopaedics, dermatology, cardiology, gynaecology, breast, urgent suspected cancer (2WW) clinics,
 * directly bookable community physiotherapy and a referral assessment (triage) service per specialty —
 * with their sites, schedules and three months of slots, starting later for the services with long
 * waits. Idempotent: a service that exists is left alone (with its slots and bookings).
 */
import type { HealthcareService, Location, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import {
  CLINIC_TYPE_SYSTEM,
  CLINIC_TYPES,
  rulesExtension,
  SPECIALTIES,
  SPECIALTY_SYSTEM,
  type ClinicType,
  type ServiceRules,
  type Specialty,
} from './vocabulary.ts';

/** The postcode districts West Lancashire's commissioner pays for (the demo population lives there). */
const WEST_LANCASHIRE = ['L39', 'L40', 'WN8', 'WN6', 'PR4', 'PR9'];

interface SiteDef {
  id: string;
  name: string;
  line: string;
  city: string;
  postalCode: string;
  organization: string;
}

export const SITES: readonly SiteDef[] = [
  {
    id: 'loc-ref-ormskirk',
    name: 'Ormskirk District General Hospital',
    line: 'Wigan Road',
    city: 'Ormskirk',
    postalCode: 'L39 2AZ',
    organization: 'org-rvy',
  },
  {
    id: 'loc-ref-southport',
    name: 'Southport District General Hospital',
    line: 'Town Lane',
    city: 'Southport',
    postalCode: 'PR8 6PN',
    organization: 'org-rvy',
  },
  {
    id: 'loc-ref-wrightington',
    name: 'Wrightington Hospital',
    line: 'Hall Lane',
    city: 'Appley Bridge',
    postalCode: 'WN6 9EP',
    organization: 'org-rrf',
  },
  {
    id: 'loc-ref-wigan',
    name: 'Royal Albert Edward Infirmary',
    line: 'Wigan Lane',
    city: 'Wigan',
    postalCode: 'WN1 2NN',
    organization: 'org-rrf',
  },
  {
    id: 'loc-ref-skelmersdale',
    name: 'Skelmersdale Health Centre',
    line: 'Southway',
    city: 'Skelmersdale',
    postalCode: 'WN8 6NN',
    organization: 'org-8wl01',
  },
  {
    id: 'loc-ref-burscough',
    name: 'Burscough Health Centre',
    line: 'Stanley Court',
    city: 'Burscough',
    postalCode: 'L40 4LA',
    organization: 'org-8wl01',
  },
];

export interface ServiceDef {
  id: string;
  name: string;
  specialty: Specialty;
  clinicType: ClinicType;
  site: string;
  rules: Partial<ServiceRules>;
  /** Days from today to the first slot published: the service's wait. */
  waitDays: number;
  /** Appointments per weekday, and minutes each. */
  perDay: number;
  minutes: number;
}

const AREA = { postcodeAreas: WEST_LANCASHIRE };
const TRIAGE = { triage: true, directlyBookable: false, ...AREA };
const BOOKABLE = { directlyBookable: true, ...AREA };
const TWO_WEEK_WAIT: Partial<ServiceRules> = { directlyBookable: true, priorities: ['two-week-wait'], ...AREA };

export const DEMO_SERVICES: readonly ServiceDef[] = [
  // MSK and orthopaedics
  {
    id: 'hs-ref-msk-cats',
    name: 'West Lancashire MSK assessment and treatment service (CATS)',
    specialty: 'msk',
    clinicType: 'referral-assessment',
    site: 'loc-ref-skelmersdale',
    rules: { ...TRIAGE, directlyBookable: true, minAge: 16 },
    waitDays: 18,
    perDay: 8,
    minutes: 30,
  },
  {
    id: 'hs-ref-physio-skelmersdale',
    name: 'Community physiotherapy, Skelmersdale',
    specialty: 'msk',
    clinicType: 'community-physiotherapy',
    site: 'loc-ref-skelmersdale',
    rules: { ...BOOKABLE, minAge: 16 },
    waitDays: 6,
    perDay: 10,
    minutes: 30,
  },
  {
    id: 'hs-ref-physio-burscough',
    name: 'Community physiotherapy, Burscough',
    specialty: 'msk',
    clinicType: 'community-physiotherapy',
    site: 'loc-ref-burscough',
    rules: { ...BOOKABLE, minAge: 16 },
    waitDays: 11,
    perDay: 8,
    minutes: 30,
  },
  {
    id: 'hs-ref-to-ras',
    name: 'Orthopaedic referral assessment service',
    specialty: 'trauma-orthopaedics',
    clinicType: 'referral-assessment',
    site: 'loc-ref-ormskirk',
    rules: TRIAGE,
    waitDays: 14,
    perDay: 6,
    minutes: 20,
  },
  {
    id: 'hs-ref-to-hip-knee',
    name: 'Hip and knee clinic, Wrightington',
    specialty: 'trauma-orthopaedics',
    clinicType: 'outpatient',
    site: 'loc-ref-wrightington',
    rules: { directlyBookable: true, minAge: 18 },
    waitDays: 126,
    perDay: 8,
    minutes: 20,
  },
  {
    id: 'hs-ref-to-upper-limb',
    name: 'Upper limb clinic, Wrightington',
    specialty: 'trauma-orthopaedics',
    clinicType: 'outpatient',
    site: 'loc-ref-wrightington',
    rules: { directlyBookable: true, minAge: 18 },
    waitDays: 91,
    perDay: 6,
    minutes: 20,
  },
  {
    id: 'hs-ref-to-ormskirk',
    name: 'Orthopaedics, Ormskirk',
    specialty: 'trauma-orthopaedics',
    clinicType: 'outpatient',
    site: 'loc-ref-ormskirk',
    rules: { directlyBookable: true, ...AREA },
    waitDays: 70,
    perDay: 6,
    minutes: 20,
  },
  // Dermatology
  {
    id: 'hs-ref-derm-ras',
    name: 'Dermatology referral assessment service',
    specialty: 'dermatology',
    clinicType: 'referral-assessment',
    site: 'loc-ref-southport',
    rules: TRIAGE,
    waitDays: 10,
    perDay: 8,
    minutes: 15,
  },
  {
    id: 'hs-ref-derm-southport',
    name: 'Dermatology, Southport',
    specialty: 'dermatology',
    clinicType: 'outpatient',
    site: 'loc-ref-southport',
    rules: { directlyBookable: true },
    waitDays: 147,
    perDay: 8,
    minutes: 15,
  },
  {
    id: 'hs-ref-derm-community',
    name: 'Community dermatology clinic, Burscough',
    specialty: 'dermatology',
    clinicType: 'outpatient',
    site: 'loc-ref-burscough',
    rules: { ...BOOKABLE, minAge: 18 },
    waitDays: 42,
    perDay: 6,
    minutes: 20,
  },
  {
    id: 'hs-ref-derm-2ww',
    name: 'Suspected skin cancer clinic (2WW), Southport',
    specialty: 'dermatology',
    clinicType: 'two-week-wait',
    site: 'loc-ref-southport',
    rules: TWO_WEEK_WAIT,
    waitDays: 5,
    perDay: 8,
    minutes: 15,
  },
  // Cardiology
  {
    id: 'hs-ref-card-ras',
    name: 'Cardiology referral assessment service',
    specialty: 'cardiology',
    clinicType: 'referral-assessment',
    site: 'loc-ref-ormskirk',
    rules: TRIAGE,
    waitDays: 9,
    perDay: 6,
    minutes: 20,
  },
  {
    id: 'hs-ref-card-ormskirk',
    name: 'Cardiology, Ormskirk',
    specialty: 'cardiology',
    clinicType: 'outpatient',
    site: 'loc-ref-ormskirk',
    rules: { directlyBookable: true },
    waitDays: 56,
    perDay: 8,
    minutes: 20,
  },
  {
    id: 'hs-ref-card-wigan',
    name: 'Cardiology, Royal Albert Edward Infirmary',
    specialty: 'cardiology',
    clinicType: 'outpatient',
    site: 'loc-ref-wigan',
    rules: { directlyBookable: true },
    waitDays: 35,
    perDay: 8,
    minutes: 20,
  },
  {
    id: 'hs-ref-card-chest-pain',
    name: 'Rapid access chest pain clinic, Ormskirk',
    specialty: 'cardiology',
    clinicType: 'one-stop',
    site: 'loc-ref-ormskirk',
    rules: { directlyBookable: true, priorities: ['urgent'], minAge: 18 },
    waitDays: 4,
    perDay: 6,
    minutes: 30,
  },
  // Gynaecology
  {
    id: 'hs-ref-gyn-ras',
    name: 'Gynaecology referral assessment service',
    specialty: 'gynaecology',
    clinicType: 'referral-assessment',
    site: 'loc-ref-ormskirk',
    rules: TRIAGE,
    waitDays: 12,
    perDay: 6,
    minutes: 20,
  },
  {
    id: 'hs-ref-gyn-ormskirk',
    name: 'Gynaecology, Ormskirk',
    specialty: 'gynaecology',
    clinicType: 'outpatient',
    site: 'loc-ref-ormskirk',
    rules: { directlyBookable: true, minAge: 16 },
    waitDays: 98,
    perDay: 8,
    minutes: 20,
  },
  {
    id: 'hs-ref-gyn-wigan',
    name: 'Gynaecology, Royal Albert Edward Infirmary',
    specialty: 'gynaecology',
    clinicType: 'outpatient',
    site: 'loc-ref-wigan',
    rules: { directlyBookable: true, minAge: 16 },
    waitDays: 63,
    perDay: 8,
    minutes: 20,
  },
  {
    id: 'hs-ref-gyn-2ww',
    name: 'Suspected gynaecological cancer clinic (2WW), Ormskirk',
    specialty: 'gynaecology',
    clinicType: 'two-week-wait',
    site: 'loc-ref-ormskirk',
    rules: { ...TWO_WEEK_WAIT, minAge: 16 },
    waitDays: 7,
    perDay: 6,
    minutes: 30,
  },
  // Breast
  {
    id: 'hs-ref-breast-ras',
    name: 'Breast referral assessment service',
    specialty: 'breast',
    clinicType: 'referral-assessment',
    site: 'loc-ref-southport',
    rules: TRIAGE,
    waitDays: 8,
    perDay: 6,
    minutes: 20,
  },
  {
    id: 'hs-ref-breast-2ww',
    name: 'Breast one-stop clinic (2WW), Southport',
    specialty: 'breast',
    clinicType: 'two-week-wait',
    site: 'loc-ref-southport',
    rules: { ...TWO_WEEK_WAIT, minAge: 16 },
    waitDays: 4,
    perDay: 8,
    minutes: 30,
  },
  {
    id: 'hs-ref-breast-routine',
    name: 'Breast clinic, Southport',
    specialty: 'breast',
    clinicType: 'outpatient',
    site: 'loc-ref-southport',
    rules: { directlyBookable: true, minAge: 16 },
    waitDays: 40,
    perDay: 6,
    minutes: 20,
  },
];

export interface DirectorySeedOptions {
  now: Date;
  /** Weeks of slots after each service's wait. Default 13 (three months). */
  weeks?: number;
  services?: readonly ServiceDef[];
}

/** Writes the services that are not there yet; returns how many resources it wrote. */
export async function seedDirectory(system: ResourceService, options: DirectorySeedOptions): Promise<number> {
  const services = options.services ?? DEMO_SERVICES;
  const existing = await system.search('HealthcareService', [
    ['_id', services.map((s) => s.id).join(',')],
    ['_elements', 'id'],
    ['_count', String(services.length)],
  ]);
  const known = new Set((existing.entry ?? []).map((e) => e.resource?.id));
  const missing = services.filter((s) => !known.has(s.id));
  if (!missing.length) {
    return 0;
  }
  const sites = SITES.filter((site) => missing.some((s) => s.site === site.id)).map(locationOf);
  const resources: Resource[] = [...sites, ...missing.flatMap((s) => serviceResources(s, options))];
  for (let i = 0; i < resources.length; i += 1000) {
    const items = resources.slice(i, i + 1000).map((resource) => ({ resource, method: 'update' as const }));
    await system.transaction((tx) => tx.writeMany(items));
  }
  return resources.length;
}

function locationOf(site: SiteDef): Location {
  return {
    resourceType: 'Location',
    id: site.id,
    status: 'active',
    name: site.name,
    mode: 'instance',
    address: {
      use: 'work',
      type: 'physical',
      line: [site.line],
      city: site.city,
      postalCode: site.postalCode,
      country: 'GB',
    },
    managingOrganization: { reference: `Organization/${site.organization}` },
  };
}

/** A service, its schedule and its slots (weekdays from `now + waitDays`, 09:00 UTC onwards). */
function serviceResources(def: ServiceDef, options: DirectorySeedOptions): Resource[] {
  const site = SITES.find((s) => s.id === def.site)!;
  const provider = { reference: `Organization/${site.organization}` };
  const specialty = [
    { coding: [{ system: SPECIALTY_SYSTEM, code: def.specialty, display: SPECIALTIES[def.specialty] }] },
  ];
  const type = [
    { coding: [{ system: CLINIC_TYPE_SYSTEM, code: def.clinicType, display: CLINIC_TYPES[def.clinicType] }] },
  ];
  const service: HealthcareService = {
    resourceType: 'HealthcareService',
    id: def.id,
    active: true,
    providedBy: provider,
    name: def.name,
    specialty,
    type,
    location: [{ reference: `Location/${def.site}`, display: site.name }],
    appointmentRequired: true,
    extension: [rulesExtension(def.rules)],
  };
  const scheduleId = `sch-${def.id}`;
  const schedule: Schedule = {
    resourceType: 'Schedule',
    id: scheduleId,
    meta: { source: provider.reference },
    active: true,
    serviceType: type,
    specialty,
    actor: [
      { reference: `HealthcareService/${def.id}`, display: def.name },
      { reference: `Location/${def.site}`, display: site.name },
    ],
    comment: def.name,
  };
  const slots: Slot[] = [];
  const first = startOfDay(options.now, def.waitDays);
  for (let day = 0; day < (options.weeks ?? 13) * 7; day++) {
    const date = new Date(first.getTime() + day * 86_400_000);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) {
      continue;
    }
    for (let n = 0; n < def.perDay; n++) {
      const start = new Date(date.getTime() + 9 * 3_600_000 + n * def.minutes * 60_000);
      slots.push({
        resourceType: 'Slot',
        id: `slot-${def.id.slice(3)}-${start.toISOString().slice(0, 16).replace(/[-:T]/g, '')}`,
        meta: { source: provider.reference },
        serviceType: type,
        specialty,
        schedule: { reference: `Schedule/${scheduleId}` },
        status: 'free',
        start: start.toISOString(),
        end: new Date(start.getTime() + def.minutes * 60_000).toISOString(),
      });
    }
  }
  return [service, schedule, ...slots];
}

function startOfDay(now: Date, plusDays: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + plusDays));
}
