/**
 * The fixed part of the synthetic health economy: organisations, sites, practitioners and roles,
 * plus the postcode geography. None of it depends on the population size.
 *
 * The geography (postcodes and their IMD deciles) is generated from a fixed internal seed so the
 * postcode -> deprivation mapping is the same whatever seed the caller uses; staff names follow the
 * caller's seed.
 */
import { cumulative, Rng } from './prng.ts';
import {
  CARE_HOMES,
  FIRST_NAMES,
  HOSPITAL_SITES,
  ORGANISATION_TYPE_DISPLAY,
  OTHER_ORGANISATIONS,
  OTHER_STAFF,
  POSTCODE_SECTORS,
  POSTCODE_UNIT_LETTERS,
  PRACTICES,
  SPECIALTY_DISPLAY,
  STAFF_ROLE_DISPLAY,
  STAFF_ROLE_HL7,
  SURNAMES,
  SYSTEM,
  type CareHomeDef,
  type OrganisationType,
  type PostcodeSector,
  type PracticeDef,
  type Specialty,
  type StaffRole,
} from './reference-data.ts';
import type { FhirResource, Sex } from './types.ts';

/** Fixed seed for the geography so postcode deciles never change between runs or seeds. */
const GEOGRAPHY_SEED = 0x57a1e5;
const POSTCODES_PER_SECTOR = 40;

export interface PostcodeInfo {
  postcode: string;
  decile: number;
  sector: PostcodeSector;
}

export interface SectorInfo {
  def: PostcodeSector;
  postcodes: PostcodeInfo[];
}

export interface StaffMember {
  id: string;
  roleId: string;
  role: StaffRole;
  orgKey: string;
  orgId: string;
  specialty?: Specialty;
  sex: Sex;
  given: string;
  family: string;
}

export interface PracticeInfo {
  def: PracticeDef;
  orgId: string;
  locationId: string;
  postcode: PostcodeInfo;
  gps: StaffMember[];
  nurses: StaffMember[];
}

export interface CareHomeInfo {
  def: CareHomeDef;
  orgId: string;
  postcode: PostcodeInfo;
  houseLine: string;
  practice: PracticeInfo;
}

export interface SiteInfo {
  key: string;
  locationId: string;
  orgKey: string;
  orgId: string;
}

export interface InfrastructureModel {
  sectors: SectorInfo[];
  practices: PracticeInfo[];
  practicesByTown: Map<string, PracticeInfo[]>;
  careHomes: CareHomeInfo[];
  /** Organisation id by key ("acute", "community", ...) or by ODS code of a practice. */
  orgIds: Map<string, string>;
  sites: Map<string, SiteInfo>;
  /** Consultants by organisation key, then specialty. */
  consultants: Map<string, Map<Specialty, StaffMember[]>>;
  staffByOrgRole: Map<string, StaffMember[]>;
  staff: StaffMember[];
}

export function orgIdForOds(ods: string): string {
  return 'org-' + ods.toLowerCase();
}

function drawPostcodes(rng: Rng, def: PostcodeSector): PostcodeInfo[] {
  const seen = new Set<string>();
  const out: PostcodeInfo[] = [];
  const letters = POSTCODE_UNIT_LETTERS;
  while (out.length < POSTCODES_PER_SECTOR) {
    const unit = letters[rng.int(letters.length)]! + letters[rng.int(letters.length)]!;
    const postcode = def.sector + unit;
    if (seen.has(postcode)) {
      continue;
    }
    seen.add(postcode);
    const decile = Math.min(10, Math.max(1, Math.round(rng.normal(def.meanDecile, def.decileSd))));
    out.push({ postcode, decile, sector: def });
  }
  return out;
}

function staffKey(orgKey: string, role: StaffRole): string {
  return orgKey + '|' + role;
}

function drawStaffName(rng: Rng): { sex: Sex; given: string; family: string } {
  const sex: Sex = rng.chance(0.55) ? 'female' : 'male';
  // Staff are working age: born 1960–1999 => cohorts 1 and 2.
  const cohort = rng.chance(0.5) ? 1 : 2;
  const given = rng.pick(FIRST_NAMES[sex][cohort]!);
  const family = rng.pick(SURNAMES);
  return { sex, given, family };
}

/** Build the infrastructure model (no FHIR resources yet). Deterministic for a given seed. */
export function buildInfrastructureModel(seed: number): InfrastructureModel {
  const geo = new Rng(GEOGRAPHY_SEED, 1);
  const sectors: SectorInfo[] = POSTCODE_SECTORS.map((def) => ({ def, postcodes: drawPostcodes(geo, def) }));
  const sectorByCode = new Map(sectors.map((s) => [s.def.sector, s] as const));

  const people = new Rng(seed, 0x1f2e3d4c);
  const staff: StaffMember[] = [];
  const staffByOrgRole = new Map<string, StaffMember[]>();
  const addStaff = (orgKey: string, orgId: string, role: StaffRole, specialty?: Specialty): StaffMember => {
    const n = staff.length + 1;
    const suffix = String(n).padStart(4, '0');
    const name = drawStaffName(people);
    const member: StaffMember = {
      id: 'prac-' + suffix,
      roleId: 'prrole-' + suffix,
      role,
      orgKey,
      orgId,
      sex: name.sex,
      given: name.given,
      family: name.family,
    };
    if (specialty !== undefined) {
      member.specialty = specialty;
    }
    staff.push(member);
    const k = staffKey(orgKey, role);
    const list = staffByOrgRole.get(k);
    if (list) {
      list.push(member);
    } else {
      staffByOrgRole.set(k, [member]);
    }
    return member;
  };

  const orgIds = new Map<string, string>();
  const practices: PracticeInfo[] = [];
  const practicesByTown = new Map<string, PracticeInfo[]>();
  for (const def of PRACTICES) {
    const orgId = orgIdForOds(def.ods);
    orgIds.set(def.ods, orgId);
    const townSectors = sectors.filter((s) => s.def.town === def.town);
    const sector = townSectors[0] ?? sectors[0]!;
    const postcode = sector.postcodes[geo.int(sector.postcodes.length)]!;
    const gps: StaffMember[] = [];
    const nurses: StaffMember[] = [];
    for (let i = 0; i < def.gps; i++) {
      gps.push(addStaff(def.ods, orgId, 'gp'));
    }
    for (let i = 0; i < def.nurses; i++) {
      nurses.push(addStaff(def.ods, orgId, 'practice-nurse'));
    }
    const info: PracticeInfo = { def, orgId, locationId: 'loc-' + def.ods.toLowerCase(), postcode, gps, nurses };
    practices.push(info);
    const list = practicesByTown.get(def.town);
    if (list) {
      list.push(info);
    } else {
      practicesByTown.set(def.town, [info]);
    }
  }
  for (const def of OTHER_ORGANISATIONS) {
    orgIds.set(def.key, orgIdForOds(def.ods));
  }

  const consultants = new Map<string, Map<Specialty, StaffMember[]>>();
  for (const def of OTHER_STAFF) {
    const orgId = orgIds.get(def.orgKey)!;
    for (let i = 0; i < def.count; i++) {
      const member = addStaff(def.orgKey, orgId, def.role, def.specialty);
      if (def.specialty !== undefined && (def.role === 'consultant' || def.role === 'psychiatrist')) {
        let bySpecialty = consultants.get(def.orgKey);
        if (!bySpecialty) {
          bySpecialty = new Map();
          consultants.set(def.orgKey, bySpecialty);
        }
        const list = bySpecialty.get(def.specialty);
        if (list) {
          list.push(member);
        } else {
          bySpecialty.set(def.specialty, [member]);
        }
      }
    }
  }

  const practiceByOds = new Map(practices.map((p) => [p.def.ods, p] as const));
  const careHomes: CareHomeInfo[] = CARE_HOMES.map((def) => {
    const sector = sectorByCode.get(def.sector)!;
    const postcode = sector.postcodes[geo.int(sector.postcodes.length)]!;
    return {
      def,
      orgId: orgIdForOds(def.ods),
      postcode,
      houseLine: def.name + ', ' + def.line,
      practice: practiceByOds.get(def.alignedPractice)!,
    };
  });
  for (const ch of careHomes) {
    orgIds.set(ch.def.key, ch.orgId);
  }

  const sites = new Map<string, SiteInfo>();
  for (const def of HOSPITAL_SITES) {
    sites.set(def.key, {
      key: def.key,
      locationId: 'loc-' + def.siteCode.toLowerCase(),
      orgKey: def.orgKey,
      orgId: orgIds.get(def.orgKey)!,
    });
  }

  return { sectors, practices, practicesByTown, careHomes, orgIds, sites, consultants, staffByOrgRole, staff };
}

export function staffFor(model: InfrastructureModel, orgKey: string, role: StaffRole): StaffMember[] {
  return model.staffByOrgRole.get(staffKey(orgKey, role)) ?? [];
}

// ---------------------------------------------------------------------------------------------
// FHIR resources
// ---------------------------------------------------------------------------------------------

function dramaPhone(n: number): string {
  // Ofcom reserves 01632 960000–960999 for drama/fiction.
  return '01632 960' + String(n % 1000).padStart(3, '0');
}

function organisation(
  id: string,
  ods: string,
  name: string,
  type: OrganisationType,
  line: string,
  city: string,
  postalCode: string,
  phoneSerial: number,
): FhirResource {
  return {
    resourceType: 'Organization',
    id,
    identifier: [{ system: SYSTEM.odsOrganisation, value: ods }],
    active: true,
    type: [{ coding: [{ system: SYSTEM.organisationType, code: type, display: ORGANISATION_TYPE_DISPLAY[type] }] }],
    name,
    telecom: [{ system: 'phone', value: dramaPhone(phoneSerial), use: 'work' }],
    address: [{ use: 'work', type: 'physical', line: [line], city, district: 'Lancashire', postalCode, country: 'GB' }],
  };
}

function sdsUserId(n: number): string {
  return String(555000000000 + n);
}

function staffIdentifiers(member: StaffMember, n: number): { system: string; value: string }[] {
  const ids: { system: string; value: string }[] = [{ system: SYSTEM.sdsUserId, value: sdsUserId(n) }];
  if (member.role === 'gp' || member.role === 'consultant' || member.role === 'psychiatrist') {
    ids.push({ system: SYSTEM.gmc, value: String(7000000 + n * 37) });
  } else if (
    member.role === 'practice-nurse' ||
    member.role === 'district-nurse' ||
    member.role === 'mental-health-nurse'
  ) {
    const letters = 'ABCDEFGHJKLMNPRSTUWY';
    ids.push({
      system: SYSTEM.nmc,
      value: String(10 + (n % 90)) + letters[n % letters.length]! + String(1000 + ((n * 7919) % 9000)) + 'E',
    });
  } else if (member.role === 'paramedic') {
    ids.push({ system: SYSTEM.hcpc, value: 'PA' + String(10000 + n * 13) });
  }
  return ids;
}

function roleCodings(role: StaffRole): { system: string; code: string; display?: string }[] {
  const codings: { system: string; code: string; display?: string }[] = [
    { system: SYSTEM.practitionerRole, code: role, display: STAFF_ROLE_DISPLAY[role] },
  ];
  const hl7 = STAFF_ROLE_HL7[role];
  if (hl7 !== undefined) {
    codings.push({ system: SYSTEM.hl7PractitionerRole, code: hl7, display: hl7 === 'doctor' ? 'Doctor' : 'Nurse' });
  }
  return codings;
}

/** All infrastructure resources, in dependency order (Organizations, Locations, Practitioners, PractitionerRoles). */
export function infrastructureResources(model: InfrastructureModel): FhirResource[] {
  const out: FhirResource[] = [];
  let phone = 0;
  for (const def of OTHER_ORGANISATIONS) {
    out.push(
      organisation(
        model.orgIds.get(def.key)!,
        def.ods,
        def.name,
        def.type,
        def.line,
        def.city,
        def.postalCode,
        phone++,
      ),
    );
  }
  for (const p of model.practices) {
    out.push(
      organisation(p.orgId, p.def.ods, p.def.name, 'gp-practice', p.def.line, p.def.town, p.postcode.postcode, phone++),
    );
  }
  for (const ch of model.careHomes) {
    out.push(
      organisation(
        ch.orgId,
        ch.def.ods,
        ch.def.name,
        'care-home',
        ch.def.line,
        ch.postcode.sector.town,
        ch.postcode.postcode,
        phone++,
      ),
    );
  }

  for (const def of HOSPITAL_SITES) {
    const site = model.sites.get(def.key)!;
    out.push({
      resourceType: 'Location',
      id: site.locationId,
      identifier: [{ system: SYSTEM.odsSite, value: def.siteCode }],
      status: 'active',
      name: def.name,
      mode: 'instance',
      physicalType: { coding: [{ system: SYSTEM.locationPhysicalType, code: 'si', display: 'Site' }] },
      address: {
        use: 'work',
        type: 'physical',
        line: [def.line],
        city: def.city,
        postalCode: def.postalCode,
        country: 'GB',
      },
      managingOrganization: { reference: 'Organization/' + site.orgId },
    });
  }
  for (const p of model.practices) {
    out.push({
      resourceType: 'Location',
      id: p.locationId,
      status: 'active',
      name: p.def.name + ' surgery',
      mode: 'instance',
      physicalType: { coding: [{ system: SYSTEM.locationPhysicalType, code: 'bu', display: 'Building' }] },
      address: {
        use: 'work',
        type: 'physical',
        line: [p.def.line],
        city: p.def.town,
        district: 'Lancashire',
        postalCode: p.postcode.postcode,
        country: 'GB',
      },
      managingOrganization: { reference: 'Organization/' + p.orgId },
    });
  }

  let n = 0;
  for (const member of model.staff) {
    n++;
    const isDoctor = member.role === 'gp' || member.role === 'consultant' || member.role === 'psychiatrist';
    const name: Record<string, unknown> = { use: 'official', family: member.family, given: [member.given] };
    if (isDoctor) {
      name['prefix'] = ['Dr'];
    }
    out.push({
      resourceType: 'Practitioner',
      id: member.id,
      identifier: staffIdentifiers(member, n),
      active: true,
      name: [name],
      gender: member.sex,
    });
  }
  const practiceLocation = new Map(model.practices.map((p) => [p.orgId, p.locationId] as const));
  for (const member of model.staff) {
    const role: Record<string, unknown> = {
      resourceType: 'PractitionerRole',
      id: member.roleId,
      active: true,
      practitioner: { reference: 'Practitioner/' + member.id },
      organization: { reference: 'Organization/' + member.orgId },
      code: [{ coding: roleCodings(member.role) }],
    };
    if (member.specialty !== undefined) {
      role['specialty'] = [{ text: SPECIALTY_DISPLAY[member.specialty] }];
    }
    const loc = practiceLocation.get(member.orgId);
    if (loc !== undefined) {
      role['location'] = [{ reference: 'Location/' + loc }];
    }
    out.push(role as FhirResource);
  }
  return out;
}

/** Cumulative weights helper re-exported for the patient generator. */
export { cumulative };
