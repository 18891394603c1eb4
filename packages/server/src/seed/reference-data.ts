/**
 * Static reference data for the West Lancashire-shaped synthetic population.
 *
 * Everything here is approximate and synthetic. Organisation names and ODS-style codes are
 * modelled on the local health economy (see docs/SEED.md) but the people, addresses and
 * clinical records are entirely made up.
 */
import type { OrganisationType } from '../access/actor.ts';
import type { ConditionKey, Sex } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Code systems and URLs
// ---------------------------------------------------------------------------------------------

export const SYSTEM = {
  odsOrganisation: 'https://fhir.nhs.uk/Id/ods-organization-code',
  odsSite: 'https://fhir.nhs.uk/Id/ods-site-code',
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
  gmc: 'https://fhir.hl7.org.uk/Id/gmc-number',
  nmc: 'https://fhir.hl7.org.uk/Id/nmc-number',
  hcpc: 'https://fhir.hl7.org.uk/Id/hcpc-number',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  dmd: 'https://dmd.nhs.uk',
  organisationType: 'https://careweave.example/fhir/CodeSystem/organisation-type',
  encounterType: 'https://careweave.example/fhir/CodeSystem/encounter-type',
  practitionerRole: 'https://careweave.example/fhir/CodeSystem/practitioner-role',
  imdDecile: 'https://careweave.example/fhir/StructureDefinition/imd-decile',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actPriority: 'http://terminology.hl7.org/CodeSystem/v3-ActPriority',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  admitSource: 'http://terminology.hl7.org/CodeSystem/admit-source',
  dischargeDisposition: 'http://terminology.hl7.org/CodeSystem/discharge-disposition',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  courseOfTherapy: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy',
  medicationRequestCategory: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
  hl7PractitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
} as const;

// ---------------------------------------------------------------------------------------------
// Age / sex structure
// ---------------------------------------------------------------------------------------------

export interface AgeBand {
  /** Inclusive lower age. */
  from: number;
  /** Inclusive upper age (the 90+ band is open; ages are drawn 90..104). */
  to: number;
  /** Share of the whole population, percent (West Lancashire-shaped). */
  percent: number;
  /** Share of the band that is male. */
  maleFraction: number;
  /** England share, percent (ONS mid-year-estimate shape, for comparison in docs/tests). */
  englandPercent: number;
}

/**
 * Five-year age bands. The England column is the approximate shape of the ONS mid-2022 estimates;
 * the West Lancashire column shifts weight to 50+ (the district is older than England, ~22–23% aged
 * 65+ vs ~19%) and adds a student bulge at 18–24 (Edge Hill University, Ormskirk).
 */
export const AGE_BANDS: readonly AgeBand[] = [
  { from: 0, to: 4, percent: 4.6, maleFraction: 0.512, englandPercent: 5.5 },
  { from: 5, to: 9, percent: 5.2, maleFraction: 0.512, englandPercent: 6.0 },
  { from: 10, to: 14, percent: 5.6, maleFraction: 0.512, englandPercent: 6.2 },
  { from: 15, to: 19, percent: 6.6, maleFraction: 0.49, englandPercent: 5.9 },
  { from: 20, to: 24, percent: 7.0, maleFraction: 0.45, englandPercent: 6.1 },
  { from: 25, to: 29, percent: 5.3, maleFraction: 0.49, englandPercent: 6.6 },
  { from: 30, to: 34, percent: 5.3, maleFraction: 0.49, englandPercent: 6.9 },
  { from: 35, to: 39, percent: 5.4, maleFraction: 0.49, englandPercent: 6.7 },
  { from: 40, to: 44, percent: 5.4, maleFraction: 0.49, englandPercent: 6.4 },
  { from: 45, to: 49, percent: 5.9, maleFraction: 0.49, englandPercent: 6.2 },
  { from: 50, to: 54, percent: 7.2, maleFraction: 0.49, englandPercent: 6.8 },
  { from: 55, to: 59, percent: 7.5, maleFraction: 0.49, englandPercent: 6.8 },
  { from: 60, to: 64, percent: 6.9, maleFraction: 0.49, englandPercent: 6.0 },
  { from: 65, to: 69, percent: 6.0, maleFraction: 0.48, englandPercent: 5.1 },
  { from: 70, to: 74, percent: 6.0, maleFraction: 0.47, englandPercent: 4.8 },
  { from: 75, to: 79, percent: 4.8, maleFraction: 0.46, englandPercent: 4.1 },
  { from: 80, to: 84, percent: 3.1, maleFraction: 0.43, englandPercent: 2.7 },
  { from: 85, to: 89, percent: 1.9, maleFraction: 0.39, englandPercent: 1.5 },
  { from: 90, to: 104, percent: 1.0, maleFraction: 0.31, englandPercent: 0.9 },
];

// ---------------------------------------------------------------------------------------------
// Names (common UK names, first names by birth cohort so an 85-year-old is a Margaret, not an Isla)
// ---------------------------------------------------------------------------------------------

export const FIRST_NAMES: Record<Sex, readonly (readonly string[])[]> = {
  // cohorts: born before 1955, 1955–1979, 1980–1999, 2000 onwards
  female: [
    [
      'Margaret',
      'Patricia',
      'Jean',
      'Joan',
      'Dorothy',
      'Barbara',
      'Irene',
      'Sheila',
      'Brenda',
      'Maureen',
      'Mary',
      'Elizabeth',
      'Doreen',
      'Betty',
      'Joyce',
      'Valerie',
      'Audrey',
      'Kathleen',
      'Sylvia',
      'Eileen',
    ],
    [
      'Susan',
      'Christine',
      'Linda',
      'Karen',
      'Julie',
      'Janet',
      'Carol',
      'Elaine',
      'Alison',
      'Tracey',
      'Deborah',
      'Jacqueline',
      'Anne',
      'Gillian',
      'Lesley',
      'Denise',
      'Pauline',
      'Sandra',
      'Wendy',
      'Helen',
    ],
    [
      'Sarah',
      'Emma',
      'Claire',
      'Nicola',
      'Lisa',
      'Joanne',
      'Rachel',
      'Laura',
      'Gemma',
      'Rebecca',
      'Kelly',
      'Amy',
      'Hannah',
      'Natalie',
      'Stacey',
      'Jennifer',
      'Victoria',
      'Samantha',
      'Danielle',
      'Louise',
    ],
    [
      'Olivia',
      'Amelia',
      'Isla',
      'Ava',
      'Mia',
      'Emily',
      'Sophie',
      'Grace',
      'Lily',
      'Chloe',
      'Jessica',
      'Ella',
      'Freya',
      'Evie',
      'Poppy',
      'Charlotte',
      'Isabella',
      'Ruby',
      'Millie',
      'Lucy',
    ],
  ],
  male: [
    [
      'John',
      'David',
      'Michael',
      'Peter',
      'Robert',
      'Brian',
      'Kenneth',
      'Alan',
      'Keith',
      'Derek',
      'Ronald',
      'William',
      'James',
      'George',
      'Frank',
      'Roy',
      'Dennis',
      'Colin',
      'Raymond',
      'Thomas',
    ],
    [
      'Paul',
      'Mark',
      'Andrew',
      'Stephen',
      'Ian',
      'Gary',
      'Kevin',
      'Steven',
      'Richard',
      'Anthony',
      'Martin',
      'Neil',
      'Simon',
      'Philip',
      'Christopher',
      'Graham',
      'Nigel',
      'Darren',
      'Jeffrey',
      'Shaun',
    ],
    [
      'Daniel',
      'Matthew',
      'James',
      'Christopher',
      'Thomas',
      'Adam',
      'Michael',
      'Ryan',
      'Luke',
      'Craig',
      'Lee',
      'Jonathan',
      'Jamie',
      'Liam',
      'Ben',
      'Scott',
      'Joshua',
      'Samuel',
      'Jordan',
      'Carl',
    ],
    [
      'Oliver',
      'George',
      'Harry',
      'Jack',
      'Noah',
      'Leo',
      'Arthur',
      'Oscar',
      'Charlie',
      'Freddie',
      'Alfie',
      'Theo',
      'Jacob',
      'Thomas',
      'William',
      'Archie',
      'Henry',
      'Joshua',
      'Logan',
      'Ethan',
    ],
  ],
};

/** Birth-year boundaries between FIRST_NAMES cohorts. */
export const NAME_COHORT_BOUNDARIES: readonly number[] = [1955, 1980, 2000];

/** Common English surnames with a Lancashire flavour (Rimmer, Ashcroft, Aspinall, Halsall ...). */
export const SURNAMES: readonly string[] = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Harrison',
  'Edwards',
  'Hughes',
  'Turner',
  'Baker',
  'Hill',
  'Moore',
  'Cooper',
  'Ward',
  'Morris',
  'King',
  'Watson',
  'Harris',
  'Lee',
  'Martin',
  'Parker',
  'Bennett',
  'Shaw',
  'Lewis',
  'Cook',
  'Rimmer',
  'Ashcroft',
  'Aspinall',
  'Halsall',
  'Sephton',
  'Moss',
  'Cropper',
  'Heaton',
  'Baxter',
  'Culshaw',
  'Prescott',
  'Blundell',
  'Martland',
  'Barton',
  'Hesketh',
  'Wignall',
  'Bamber',
  'Forshaw',
  'Rigby',
  'Marsh',
  'Ainscough',
  'Balshaw',
  'Lathom',
  'Spencer',
  'Holmes',
  'Gregson',
  'Fairclough',
  'Latham',
  'Pilkington',
  'Rothwell',
  'Kelly',
  "O'Brien",
  'Murphy',
  'Byrne',
  'McDonald',
  'Campbell',
  'Stewart',
  'Patel',
  'Khan',
  'Kowalski',
  'Nowak',
  'Ahmed',
  'Singh',
  'Ali',
  'Hussain',
  'Duffy',
  'Gallagher',
  'Quinn',
  'Doyle',
  'Higham',
  'Howard',
  'Jenkinson',
  'Seddon',
  'Tyrer',
  'Unsworth',
  'Whittle',
  'Yates',
  'Sutcliffe',
  'Fazackerley',
  'Molyneux',
];

// ---------------------------------------------------------------------------------------------
// Geography: postcode sectors, towns, deprivation
// ---------------------------------------------------------------------------------------------

export interface PostcodeSector {
  /** Postcode sector, e.g. "WN8 6". */
  sector: string;
  /** Town used for address.city and practice choice. */
  town: string;
  /** Locality label (address.district is always "Lancashire"). */
  locality: string;
  /** Relative resident population (thousands, approximate). */
  population: number;
  /** Mean IMD decile (1 = most deprived 10% of England, 10 = least deprived). */
  meanDecile: number;
  /** Spread of decile between postcodes in the sector. */
  decileSd: number;
  streets: readonly string[];
}

/**
 * Sectors covering West Lancashire district. Skelmersdale's 1960s new-town estates (Digmoor,
 * Tanhouse, Birch Green, Ashurst) contain some of the most deprived neighbourhoods in England;
 * Aughton, Parbold and the rural west (Scarisbrick, Halsall, Rufford) are among the least deprived.
 */
export const POSTCODE_SECTORS: readonly PostcodeSector[] = [
  {
    sector: 'L39 1',
    town: 'Ormskirk',
    locality: 'Ormskirk',
    population: 4.5,
    meanDecile: 5,
    decileSd: 1.5,
    streets: ['Aughton Street', 'Moor Street', 'Church Street', 'Derby Street', 'Burscough Street', 'Stanley Street'],
  },
  {
    sector: 'L39 2',
    town: 'Ormskirk',
    locality: 'Ormskirk',
    population: 6,
    meanDecile: 6,
    decileSd: 1.5,
    streets: ['Southport Road', 'County Road', 'Greetby Hill', 'Ruff Lane', 'Hants Lane', 'Wigan Road'],
  },
  {
    sector: 'L39 3',
    town: 'Ormskirk',
    locality: 'Scott Estate',
    population: 5,
    meanDecile: 4,
    decileSd: 1.5,
    streets: ['Scarth Hill Lane', 'Tower Hill', 'Yewdale', 'Park Road', 'Chapel Street', 'Long Lane'],
  },
  {
    sector: 'L39 4',
    town: 'Ormskirk',
    locality: 'Ormskirk (Edge Hill)',
    population: 6,
    meanDecile: 5,
    decileSd: 1.5,
    streets: ['St Helens Road', 'Ruff Lane', 'Ormskirk Road', 'Dicconson Way', 'Redgate', 'Holborn Hill'],
  },
  {
    sector: 'L39 5',
    town: 'Aughton',
    locality: 'Aughton',
    population: 5,
    meanDecile: 9,
    decileSd: 0.8,
    streets: ['Prescot Road', 'Bold Lane', 'Long Lane', 'Winifred Lane', 'Middlewood Road', 'Delph Lane'],
  },
  {
    sector: 'L39 6',
    town: 'Aughton',
    locality: 'Town Green',
    population: 4,
    meanDecile: 9,
    decileSd: 0.8,
    streets: ['Town Green Lane', 'Granville Park', 'Vicarage Lane', 'Holly Lane', 'Brookfield Road', 'Moss Delph Lane'],
  },
  {
    sector: 'L39 0',
    town: 'Ormskirk',
    locality: 'Bickerstaffe',
    population: 1.2,
    meanDecile: 7,
    decileSd: 1,
    streets: ['Hall Lane', 'Church Road', 'Rainford Road', 'Liverpool Road'],
  },
  {
    sector: 'L40 0',
    town: 'Burscough',
    locality: 'Burscough',
    population: 5,
    meanDecile: 6,
    decileSd: 1.5,
    streets: ['Liverpool Road North', 'Mart Lane', 'Orrell Lane', 'Square Lane', 'Junction Lane', 'Lord Street'],
  },
  {
    sector: 'L40 5',
    town: 'Burscough',
    locality: 'Burscough Bridge',
    population: 4.5,
    meanDecile: 6,
    decileSd: 1.5,
    streets: [
      'Liverpool Road South',
      'Red Cat Lane',
      'Higgins Lane',
      'Tollgate Road',
      'Victoria Street',
      'Trevor Road',
    ],
  },
  {
    sector: 'L40 6',
    town: 'Burscough',
    locality: 'Westhead and Lathom',
    population: 1.5,
    meanDecile: 9,
    decileSd: 0.8,
    streets: ['Ormskirk Road', 'Vicarage Lane', 'Blythe Lane', 'Hall Lane'],
  },
  {
    sector: 'L40 4',
    town: 'Scarisbrick',
    locality: 'Scarisbrick',
    population: 2.5,
    meanDecile: 8,
    decileSd: 1,
    streets: ['Southport Road', 'Bescar Lane', 'Smithy Lane', 'Hall Road', 'Jacksmere Lane'],
  },
  {
    sector: 'L40 8',
    town: 'Scarisbrick',
    locality: 'Halsall and Haskayne',
    population: 2,
    meanDecile: 8,
    decileSd: 1,
    streets: ['Summerwood Lane', 'New Street', 'Halsall Lane', 'Carr Moss Lane'],
  },
  {
    sector: 'L40 1',
    town: 'Burscough',
    locality: 'Rufford and Mawdesley',
    population: 2.5,
    meanDecile: 8,
    decileSd: 1,
    streets: ['Liverpool Road', 'Holmeswood Road', 'Hurst Lane', 'High Street', 'Gorsey Lane'],
  },
  {
    sector: 'WN8 6',
    town: 'Skelmersdale',
    locality: 'Digmoor and Tanhouse',
    population: 9,
    meanDecile: 1.6,
    decileSd: 0.8,
    streets: ['Digmoor Road', 'Tanhouse Road', 'Abbeystead', 'Ennerdale', 'Elmstead', 'Birkrig', 'Daniels Lane'],
  },
  {
    sector: 'WN8 8',
    town: 'Skelmersdale',
    locality: 'Birch Green and Ashurst',
    population: 10,
    meanDecile: 2,
    decileSd: 1,
    streets: [
      'Birch Green Road',
      'Ashurst Road',
      'Peel Road',
      'Southway',
      'Westgate',
      'Northfield',
      'Crow Orchard Road',
    ],
  },
  {
    sector: 'WN8 9',
    town: 'Skelmersdale',
    locality: 'Old Skelmersdale and Moss Delph',
    population: 8,
    meanDecile: 3.2,
    decileSd: 1.3,
    streets: [
      'Sandy Lane',
      'High Street',
      'Railway Road',
      'Church Road',
      'Liverpool Road',
      'Ormskirk Road',
      'Moss Delph Lane',
    ],
  },
  {
    sector: 'WN8 0',
    town: 'Up Holland',
    locality: 'Up Holland',
    population: 7,
    meanDecile: 5.5,
    decileSd: 1.5,
    streets: ['School Lane', 'Church Street', 'Mill Lane', 'Tontine Road', 'Alma Hill', 'Parliament Street'],
  },
  {
    sector: 'WN8 7',
    town: 'Parbold',
    locality: 'Parbold, Newburgh and Dalton',
    population: 4,
    meanDecile: 9,
    decileSd: 0.8,
    streets: ['The Common', 'Station Road', 'Lancaster Lane', 'Mossy Lea Road', 'Wood Lane', 'Back Lane'],
  },
  {
    sector: 'WN6 9',
    town: 'Parbold',
    locality: 'Appley Bridge',
    population: 3,
    meanDecile: 8,
    decileSd: 1,
    streets: ['Appley Lane North', 'Mill Lane', 'Finch Lane', 'Back Lane', 'Skull House Lane'],
  },
  {
    sector: 'PR4 6',
    town: 'Tarleton',
    locality: 'Tarleton and Hesketh Bank',
    population: 10,
    meanDecile: 7.5,
    decileSd: 1.2,
    streets: [
      'Church Road',
      'Hesketh Lane',
      'Station Road',
      'Moss Lane',
      'Hundred End Lane',
      'Plox Brow',
      'Shore Road',
    ],
  },
  {
    sector: 'PR9 8',
    town: 'Banks',
    locality: 'Banks',
    population: 3.5,
    meanDecile: 6,
    decileSd: 1.2,
    streets: ['Hoole Lane', 'Chapel Lane', "Ralph's Wife's Lane", 'Station Road', 'Greaves Hall Avenue'],
  },
];

/** Letters allowed in the inward code unit (Royal Mail excludes C I K M O V). */
export const POSTCODE_UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

// ---------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------

export type { OrganisationType };

export const ORGANISATION_TYPE_DISPLAY: Record<OrganisationType, string> = {
  'gp-practice': 'GP practice',
  'acute-trust': 'Acute hospital trust',
  community: 'Community health services provider',
  'mental-health': 'Mental health trust',
  'social-care': 'Adult social care',
  ambulance: 'Ambulance service',
  'voluntary-sector': 'Voluntary, community and social enterprise organisation',
  commissioner: 'Commissioner',
  'care-home': 'Care home',
  'non-nhs-app': 'Non-NHS digital application',
};

export interface PracticeDef {
  ods: string;
  name: string;
  town: string;
  /** Relative list size. */
  listWeight: number;
  gps: number;
  nurses: number;
  line: string;
}

/** ~20 GP practices. ODS-style codes in the Lancashire "P81" range; names are plausible, not real. */
export const PRACTICES: readonly PracticeDef[] = [
  {
    ods: 'P81002',
    name: 'Ormskirk Medical Practice',
    town: 'Ormskirk',
    listWeight: 12,
    gps: 6,
    nurses: 2,
    line: 'Ormskirk Health Centre, Moor Street',
  },
  {
    ods: 'P81016',
    name: 'Derby Street Surgery',
    town: 'Ormskirk',
    listWeight: 7,
    gps: 4,
    nurses: 2,
    line: '12 Derby Street',
  },
  {
    ods: 'P81040',
    name: 'Railway Road Surgery',
    town: 'Ormskirk',
    listWeight: 6,
    gps: 3,
    nurses: 1,
    line: '3 Railway Road',
  },
  {
    ods: 'P81077',
    name: 'Moor Street Medical Centre',
    town: 'Ormskirk',
    listWeight: 5,
    gps: 3,
    nurses: 1,
    line: '41 Moor Street',
  },
  {
    ods: 'P81049',
    name: 'Aughton Surgery',
    town: 'Aughton',
    listWeight: 6,
    gps: 3,
    nurses: 2,
    line: '120 Prescot Road',
  },
  {
    ods: 'P81118',
    name: 'Town Green Medical Centre',
    town: 'Aughton',
    listWeight: 4,
    gps: 3,
    nurses: 1,
    line: 'Town Green Lane',
  },
  {
    ods: 'P81023',
    name: 'Burscough Family Practice',
    town: 'Burscough',
    listWeight: 7,
    gps: 4,
    nurses: 2,
    line: 'Stanley Court, Lord Street',
  },
  {
    ods: 'P81094',
    name: 'Stanley Court Surgery',
    town: 'Burscough',
    listWeight: 4,
    gps: 3,
    nurses: 1,
    line: '2 Mart Lane',
  },
  {
    ods: 'P81031',
    name: 'Skelmersdale Health Centre Practice',
    town: 'Skelmersdale',
    listWeight: 8,
    gps: 5,
    nurses: 2,
    line: 'Skelmersdale Health Centre, Southway',
  },
  {
    ods: 'P81058',
    name: 'Sandy Lane Surgery',
    town: 'Skelmersdale',
    listWeight: 6,
    gps: 4,
    nurses: 2,
    line: 'Sandy Lane Health Centre, Sandy Lane',
  },
  {
    ods: 'P81063',
    name: 'Digmoor Surgery',
    town: 'Skelmersdale',
    listWeight: 5,
    gps: 3,
    nurses: 1,
    line: 'Digmoor Road',
  },
  {
    ods: 'P81085',
    name: 'Ashurst Medical Centre',
    town: 'Skelmersdale',
    listWeight: 5,
    gps: 3,
    nurses: 1,
    line: 'Ashurst Road',
  },
  {
    ods: 'P81101',
    name: 'Birleywood Health Centre',
    town: 'Skelmersdale',
    listWeight: 4,
    gps: 3,
    nurses: 1,
    line: 'Birleywood',
  },
  {
    ods: 'P81132',
    name: 'Tanhouse Surgery',
    town: 'Skelmersdale',
    listWeight: 4,
    gps: 2,
    nurses: 1,
    line: 'Tanhouse Road',
  },
  {
    ods: 'P81709',
    name: 'Concourse Medical Practice',
    town: 'Skelmersdale',
    listWeight: 6,
    gps: 4,
    nurses: 2,
    line: 'The Concourse, Southway',
  },
  {
    ods: 'P81071',
    name: 'Up Holland Surgery',
    town: 'Up Holland',
    listWeight: 6,
    gps: 4,
    nurses: 1,
    line: '8 School Lane',
  },
  { ods: 'P81104', name: 'Parbold Surgery', town: 'Parbold', listWeight: 4, gps: 3, nurses: 1, line: 'Station Road' },
  {
    ods: 'P81012',
    name: 'Tarleton Group Practice',
    town: 'Tarleton',
    listWeight: 8,
    gps: 5,
    nurses: 2,
    line: 'Church Road',
  },
  {
    ods: 'P81066',
    name: 'Hesketh Bank Surgery',
    town: 'Tarleton',
    listWeight: 4,
    gps: 2,
    nurses: 1,
    line: 'Station Road, Hesketh Bank',
  },
  { ods: 'P81150', name: 'Banks Village Surgery', town: 'Banks', listWeight: 3, gps: 2, nurses: 1, line: 'Hoole Lane' },
  {
    ods: 'P81179',
    name: 'Scarisbrick and Halsall Surgery',
    town: 'Scarisbrick',
    listWeight: 3,
    gps: 2,
    nurses: 1,
    line: 'Southport Road',
  },
];

/** Towns whose residents use the Wigan trust for part of their hospital care. */
export const WIGAN_FACING_TOWNS: ReadonlySet<string> = new Set(['Skelmersdale', 'Up Holland', 'Parbold']);

export interface OtherOrgDef {
  key: string;
  ods: string;
  name: string;
  type: OrganisationType;
  line: string;
  city: string;
  postalCode: string;
  partOfKey?: string;
}

/** Non-practice organisations. Codes for the NHS bodies follow their ODS codes; the others are ODS-style and synthetic. */
export const OTHER_ORGANISATIONS: readonly OtherOrgDef[] = [
  {
    key: 'ccg',
    ods: '02G',
    name: 'NHS West Lancashire CCG',
    type: 'commissioner',
    line: 'Hilldale, Westgate',
    city: 'Skelmersdale',
    postalCode: 'WN8 8LP',
  },
  {
    key: 'acute',
    ods: 'RVY',
    name: 'Southport and Ormskirk Hospital NHS Trust',
    type: 'acute-trust',
    line: 'Town Lane, Kew',
    city: 'Southport',
    postalCode: 'PR8 6PN',
  },
  {
    key: 'acute-wigan',
    ods: 'RRF',
    name: 'Wrightington, Wigan and Leigh NHS Foundation Trust',
    type: 'acute-trust',
    line: 'Royal Albert Edward Infirmary, Wigan Lane',
    city: 'Wigan',
    postalCode: 'WN1 2NN',
  },
  {
    key: 'community',
    ods: '8WL01',
    name: 'West Lancashire Community Health Services',
    type: 'community',
    line: 'Ormskirk Health Centre, Moor Street',
    city: 'Ormskirk',
    postalCode: 'L39 2AT',
  },
  {
    key: 'mental-health',
    ods: 'RW5',
    name: 'Lancashire and South Cumbria NHS Foundation Trust',
    type: 'mental-health',
    line: 'Sceptre Point, Sceptre Way',
    city: 'Preston',
    postalCode: 'PR5 6AW',
  },
  {
    key: 'ambulance',
    ods: 'RX7',
    name: 'North West Ambulance Service NHS Trust',
    type: 'ambulance',
    line: 'Ladybridge Hall, Chorley New Road',
    city: 'Bolton',
    postalCode: 'BL1 5DD',
  },
  {
    key: 'council',
    ods: '888',
    name: 'Lancashire County Council Adult Social Care',
    type: 'social-care',
    line: 'County Hall, Fishergate',
    city: 'Preston',
    postalCode: 'PR1 8XJ',
  },
  {
    key: 'age-uk',
    ods: 'NWL01',
    name: 'Age UK West Lancashire',
    type: 'voluntary-sector',
    line: '41 Burscough Street',
    city: 'Ormskirk',
    postalCode: 'L39 2EG',
  },
  {
    key: 'carers',
    ods: 'NWL02',
    name: "West Lancashire Carers' Centre",
    type: 'voluntary-sector',
    line: 'The Old School, Derby Street',
    city: 'Ormskirk',
    postalCode: 'L39 2BN',
  },
  {
    key: 'cvs',
    ods: 'NWL03',
    name: 'West Lancashire Community and Voluntary Services',
    type: 'voluntary-sector',
    line: 'Westgate',
    city: 'Skelmersdale',
    postalCode: 'WN8 8AZ',
  },
  {
    key: 'app',
    ods: 'AWL01',
    name: 'WellConnect West Lancs (citizen app)',
    type: 'non-nhs-app',
    line: 'Digital Hub, Southway',
    city: 'Skelmersdale',
    postalCode: 'WN8 6NN',
  },
];

export interface CareHomeDef {
  key: string;
  ods: string;
  name: string;
  sector: string;
  line: string;
  /** ODS code of the aligned GP practice (Enhanced Health in Care Homes). */
  alignedPractice: string;
  /** Relative number of beds. */
  beds: number;
}

export const CARE_HOMES: readonly CareHomeDef[] = [
  {
    key: 'ch-ormskirk',
    ods: 'VWL1A',
    name: 'Ormskirk Lodge Care Home',
    sector: 'L39 2',
    line: 'Greetby Hill',
    alignedPractice: 'P81002',
    beds: 48,
  },
  {
    key: 'ch-skelmersdale',
    ods: 'VWL2B',
    name: 'Tawd Valley Nursing Home',
    sector: 'WN8 9',
    line: 'Sandy Lane',
    alignedPractice: 'P81058',
    beds: 60,
  },
  {
    key: 'ch-tarleton',
    ods: 'VWL3C',
    name: 'Tarleton Meadows Care Home',
    sector: 'PR4 6',
    line: 'Hesketh Lane',
    alignedPractice: 'P81012',
    beds: 40,
  },
];

export interface SiteDef {
  key: string;
  orgKey: string;
  siteCode: string;
  name: string;
  line: string;
  city: string;
  postalCode: string;
}

export const HOSPITAL_SITES: readonly SiteDef[] = [
  {
    key: 'southport',
    orgKey: 'acute',
    siteCode: 'RVY01',
    name: 'Southport District General Hospital',
    line: 'Town Lane, Kew',
    city: 'Southport',
    postalCode: 'PR8 6PN',
  },
  {
    key: 'ormskirk',
    orgKey: 'acute',
    siteCode: 'RVY02',
    name: 'Ormskirk District General Hospital',
    line: 'Wigan Road',
    city: 'Ormskirk',
    postalCode: 'L39 2AZ',
  },
  {
    key: 'raei',
    orgKey: 'acute-wigan',
    siteCode: 'RRF02',
    name: 'Royal Albert Edward Infirmary',
    line: 'Wigan Lane',
    city: 'Wigan',
    postalCode: 'WN1 2NN',
  },
  {
    key: 'wrightington',
    orgKey: 'acute-wigan',
    siteCode: 'RRF12',
    name: 'Wrightington Hospital',
    line: 'Hall Lane, Appley Bridge',
    city: 'Wigan',
    postalCode: 'WN6 9EP',
  },
];

// ---------------------------------------------------------------------------------------------
// Workforce outside practices
// ---------------------------------------------------------------------------------------------

export type StaffRole =
  | 'gp'
  | 'practice-nurse'
  | 'district-nurse'
  | 'social-worker'
  | 'consultant'
  | 'psychiatrist'
  | 'mental-health-nurse'
  | 'paramedic'
  | 'care-navigator';

export const STAFF_ROLE_DISPLAY: Record<StaffRole, string> = {
  gp: 'General practitioner',
  'practice-nurse': 'Practice nurse',
  'district-nurse': 'District nurse',
  'social-worker': 'Social worker',
  consultant: 'Consultant',
  psychiatrist: 'Consultant psychiatrist',
  'mental-health-nurse': 'Community mental health nurse',
  paramedic: 'Paramedic',
  'care-navigator': 'Care navigator',
};

/** HL7 practitioner-role code (http://terminology.hl7.org/CodeSystem/practitioner-role) where one fits. */
export const STAFF_ROLE_HL7: Partial<Record<StaffRole, 'doctor' | 'nurse'>> = {
  gp: 'doctor',
  'practice-nurse': 'nurse',
  'district-nurse': 'nurse',
  consultant: 'doctor',
  psychiatrist: 'doctor',
  'mental-health-nurse': 'nurse',
};

export type Specialty =
  | 'emergency-medicine'
  | 'general-medicine'
  | 'geriatric-medicine'
  | 'cardiology'
  | 'respiratory-medicine'
  | 'diabetes-endocrinology'
  | 'paediatrics'
  | 'general-surgery'
  | 'trauma-orthopaedics'
  | 'ophthalmology'
  | 'gynaecology'
  | 'urology'
  | 'old-age-psychiatry';

export const SPECIALTY_DISPLAY: Record<Specialty, string> = {
  'emergency-medicine': 'Emergency medicine',
  'general-medicine': 'General internal medicine',
  'geriatric-medicine': 'Geriatric medicine',
  cardiology: 'Cardiology',
  'respiratory-medicine': 'Respiratory medicine',
  'diabetes-endocrinology': 'Diabetes and endocrinology',
  paediatrics: 'Paediatrics',
  'general-surgery': 'General surgery',
  'trauma-orthopaedics': 'Trauma and orthopaedics',
  ophthalmology: 'Ophthalmology',
  gynaecology: 'Gynaecology',
  urology: 'Urology',
  'old-age-psychiatry': 'Old age psychiatry',
};

export interface StaffDef {
  orgKey: string;
  role: StaffRole;
  count: number;
  specialty?: Specialty;
}

export const OTHER_STAFF: readonly StaffDef[] = [
  { orgKey: 'acute', role: 'consultant', specialty: 'emergency-medicine', count: 2 },
  { orgKey: 'acute', role: 'consultant', specialty: 'general-medicine', count: 2 },
  { orgKey: 'acute', role: 'consultant', specialty: 'geriatric-medicine', count: 2 },
  { orgKey: 'acute', role: 'consultant', specialty: 'cardiology', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'respiratory-medicine', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'diabetes-endocrinology', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'paediatrics', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'general-surgery', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'trauma-orthopaedics', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'ophthalmology', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'gynaecology', count: 1 },
  { orgKey: 'acute', role: 'consultant', specialty: 'urology', count: 1 },
  { orgKey: 'acute-wigan', role: 'consultant', specialty: 'emergency-medicine', count: 1 },
  { orgKey: 'acute-wigan', role: 'consultant', specialty: 'general-medicine', count: 1 },
  { orgKey: 'acute-wigan', role: 'consultant', specialty: 'geriatric-medicine', count: 1 },
  { orgKey: 'acute-wigan', role: 'consultant', specialty: 'trauma-orthopaedics', count: 1 },
  { orgKey: 'acute-wigan', role: 'consultant', specialty: 'paediatrics', count: 1 },
  { orgKey: 'community', role: 'district-nurse', count: 8 },
  { orgKey: 'mental-health', role: 'psychiatrist', specialty: 'old-age-psychiatry', count: 1 },
  { orgKey: 'mental-health', role: 'mental-health-nurse', count: 2 },
  { orgKey: 'council', role: 'social-worker', count: 3 },
  { orgKey: 'ambulance', role: 'paramedic', count: 2 },
  { orgKey: 'age-uk', role: 'care-navigator', count: 1 },
  { orgKey: 'carers', role: 'care-navigator', count: 1 },
];

// ---------------------------------------------------------------------------------------------
// Long-term conditions
// ---------------------------------------------------------------------------------------------

export interface ConditionDef {
  key: ConditionKey;
  snomed: string;
  display: string;
  /** [age, prevalence] knots, linearly interpolated (before any multipliers). */
  ageCurve: readonly (readonly [number, number])[];
  /** Sex multipliers. */
  male: number;
  female: number;
  /** Deprivation slope: multiplier = 1 + slope * (5.5 - decile). */
  deprivationSlope: number;
  /** Multipliers applied when the patient already has another condition. */
  comorbidity?: Partial<Record<ConditionKey | 'care-home', number>>;
  /** Earliest plausible onset age. */
  minOnsetAge: number;
  /** Approximate England QOF recorded prevalence used as a target (percent, with its denominator). */
  qofTarget: { percent: number; denominator: string };
}

/**
 * Ordered so that conditions used as comorbidity multipliers are decided first.
 * SNOMED CT codes are the standard International Edition disorder concepts.
 */
export const CONDITIONS: readonly ConditionDef[] = [
  {
    key: 'hypertension',
    snomed: '38341003',
    display: 'Hypertensive disorder, systemic arterial',
    ageCurve: [
      [0, 0],
      [17, 0],
      [18, 0.003],
      [30, 0.012],
      [40, 0.045],
      [50, 0.12],
      [60, 0.24],
      [70, 0.37],
      [80, 0.48],
      [90, 0.52],
    ],
    male: 1.1,
    female: 0.92,
    deprivationSlope: 0.02,
    minOnsetAge: 18,
    qofTarget: { percent: 14.8, denominator: 'all ages' },
  },
  {
    key: 'diabetes',
    snomed: '44054006',
    display: 'Diabetes mellitus type 2',
    ageCurve: [
      [0, 0],
      [15, 0.0005],
      [25, 0.0045],
      [35, 0.014],
      [45, 0.043],
      [55, 0.085],
      [65, 0.132],
      [75, 0.168],
      [85, 0.157],
      [95, 0.125],
    ],
    male: 1.2,
    female: 0.82,
    deprivationSlope: 0.07,
    minOnsetAge: 15,
    qofTarget: { percent: 7.7, denominator: 'aged 17+' },
  },
  {
    key: 'copd',
    snomed: '13645005',
    display: 'Chronic obstructive lung disease',
    ageCurve: [
      [0, 0],
      [34, 0],
      [40, 0.003],
      [50, 0.011],
      [60, 0.027],
      [70, 0.052],
      [80, 0.07],
      [90, 0.06],
    ],
    male: 1.1,
    female: 0.92,
    deprivationSlope: 0.13,
    minOnsetAge: 35,
    qofTarget: { percent: 1.9, denominator: 'all ages' },
  },
  {
    key: 'asthma',
    snomed: '195967001',
    display: 'Asthma',
    ageCurve: [
      [0, 0],
      [2, 0.004],
      [6, 0.05],
      [10, 0.065],
      [18, 0.06],
      [40, 0.058],
      [60, 0.068],
      [80, 0.065],
      [100, 0.055],
    ],
    male: 0.9,
    female: 1.1,
    deprivationSlope: 0.03,
    minOnsetAge: 2,
    qofTarget: { percent: 6.5, denominator: 'aged 6+' },
  },
  {
    key: 'atrial-fibrillation',
    snomed: '49436004',
    display: 'Atrial fibrillation',
    ageCurve: [
      [0, 0],
      [30, 0],
      [40, 0.0015],
      [50, 0.006],
      [60, 0.018],
      [70, 0.05],
      [80, 0.095],
      [90, 0.13],
    ],
    male: 1.3,
    female: 0.75,
    deprivationSlope: 0,
    minOnsetAge: 30,
    comorbidity: { hypertension: 1.3 },
    qofTarget: { percent: 2.2, denominator: 'all ages' },
  },
  {
    key: 'heart-failure',
    snomed: '84114007',
    display: 'Heart failure',
    ageCurve: [
      [0, 0],
      [40, 0],
      [50, 0.0028],
      [60, 0.0085],
      [70, 0.021],
      [80, 0.048],
      [90, 0.075],
    ],
    male: 1.3,
    female: 0.75,
    deprivationSlope: 0.05,
    minOnsetAge: 40,
    comorbidity: { 'atrial-fibrillation': 2.2, hypertension: 1.3, diabetes: 1.3 },
    qofTarget: { percent: 1.1, denominator: 'all ages' },
  },
  {
    key: 'ckd',
    snomed: '709044004',
    display: 'Chronic kidney disease',
    ageCurve: [
      [0, 0],
      [17, 0],
      [18, 0.0015],
      [40, 0.0035],
      [50, 0.009],
      [60, 0.023],
      [70, 0.058],
      [80, 0.125],
      [90, 0.19],
    ],
    male: 0.85,
    female: 1.15,
    deprivationSlope: 0.03,
    minOnsetAge: 18,
    comorbidity: { diabetes: 1.6, hypertension: 1.5, 'heart-failure': 1.5 },
    qofTarget: { percent: 4.2, denominator: 'aged 18+' },
  },
  {
    key: 'stroke',
    snomed: '230690007',
    display: 'Cerebrovascular accident',
    ageCurve: [
      [0, 0],
      [30, 0.001],
      [45, 0.004],
      [55, 0.01],
      [65, 0.023],
      [75, 0.045],
      [85, 0.07],
      [95, 0.08],
    ],
    male: 1.15,
    female: 0.87,
    deprivationSlope: 0.04,
    minOnsetAge: 30,
    comorbidity: { 'atrial-fibrillation': 1.8, hypertension: 1.4, diabetes: 1.2 },
    qofTarget: { percent: 1.9, denominator: 'all ages (stroke and TIA)' },
  },
  {
    key: 'dementia',
    snomed: '52448006',
    display: 'Dementia',
    ageCurve: [
      [0, 0],
      [60, 0.0008],
      [65, 0.004],
      [70, 0.009],
      [75, 0.019],
      [80, 0.038],
      [85, 0.07],
      [90, 0.12],
      [100, 0.18],
    ],
    male: 0.9,
    female: 1.1,
    deprivationSlope: 0.02,
    minOnsetAge: 55,
    comorbidity: { 'care-home': 4, stroke: 1.5 },
    qofTarget: { percent: 0.8, denominator: 'all ages' },
  },
  {
    key: 'depression',
    snomed: '35489007',
    display: 'Depressive disorder',
    ageCurve: [
      [0, 0],
      [12, 0],
      [16, 0.03],
      [20, 0.09],
      [30, 0.14],
      [45, 0.16],
      [60, 0.14],
      [75, 0.11],
      [90, 0.1],
    ],
    male: 0.7,
    female: 1.3,
    deprivationSlope: 0.06,
    minOnsetAge: 13,
    qofTarget: { percent: 13.2, denominator: 'aged 18+' },
  },
  {
    key: 'cancer',
    snomed: '363346000',
    display: 'Malignant neoplastic disease',
    ageCurve: [
      [0, 0.0005],
      [20, 0.002],
      [30, 0.005],
      [45, 0.016],
      [55, 0.035],
      [65, 0.065],
      [75, 0.1],
      [85, 0.12],
      [95, 0.12],
    ],
    male: 1,
    female: 1,
    deprivationSlope: 0,
    minOnsetAge: 0,
    qofTarget: { percent: 3.6, denominator: 'all ages' },
  },
];

// ---------------------------------------------------------------------------------------------
// Medicines (dm+d)
// ---------------------------------------------------------------------------------------------

export interface MedicineDef {
  key: string;
  /** dm+d VMP identifier (a SNOMED CT concept id). */
  code: string;
  display: string;
  dosage: string;
  /** Units supplied per 28 days. */
  quantity: number;
  unit: string;
  /** Whether the code/description pair was checked against a published source (see docs/SEED.md). */
  codeChecked: boolean;
}

export const MEDICINES: Record<string, MedicineDef> = {
  amlodipine: {
    key: 'amlodipine',
    code: '319283006',
    display: 'Amlodipine 5mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  ramipril: {
    key: 'ramipril',
    code: '318902004',
    display: 'Ramipril 5mg capsules',
    dosage: 'One capsule once a day',
    quantity: 28,
    unit: 'capsule',
    codeChecked: true,
  },
  losartan: {
    key: 'losartan',
    code: '318956006',
    display: 'Losartan 50mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  bisoprolol: {
    key: 'bisoprolol',
    code: '318590006',
    display: 'Bisoprolol 5mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  furosemide: {
    key: 'furosemide',
    code: '317972000',
    display: 'Furosemide 40mg tablets',
    dosage: 'One tablet each morning',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  spironolactone: {
    key: 'spironolactone',
    code: '318056008',
    display: 'Spironolactone 25mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  metformin: {
    key: 'metformin',
    code: '325278007',
    display: 'Metformin 500mg tablets',
    dosage: 'One tablet twice a day with food',
    quantity: 56,
    unit: 'tablet',
    codeChecked: true,
  },
  empagliflozin: {
    key: 'empagliflozin',
    code: '703896005',
    display: 'Empagliflozin 10mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  clopidogrel: {
    key: 'clopidogrel',
    code: '319799004',
    display: 'Clopidogrel 75mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: true,
  },
  salbutamol: {
    key: 'salbutamol',
    code: '39113611000001102',
    display: 'Salbutamol 100micrograms/dose inhaler CFC free',
    dosage: 'Two puffs when required',
    quantity: 200,
    unit: 'dose',
    codeChecked: true,
  },
  amoxicillin: {
    key: 'amoxicillin',
    code: '39732311000001104',
    display: 'Amoxicillin 250mg capsules',
    dosage: 'Two capsules three times a day for 5 days',
    quantity: 30,
    unit: 'capsule',
    codeChecked: true,
  },
  atorvastatin: {
    key: 'atorvastatin',
    code: '320000009',
    display: 'Atorvastatin 20mg tablets',
    dosage: 'One tablet at night',
    quantity: 28,
    unit: 'tablet',
    codeChecked: false,
  },
  sertraline: {
    key: 'sertraline',
    code: '321949006',
    display: 'Sertraline 50mg tablets',
    dosage: 'One tablet once a day',
    quantity: 28,
    unit: 'tablet',
    codeChecked: false,
  },
  apixaban: {
    key: 'apixaban',
    code: '42206511000001102',
    display: 'Apixaban 5mg tablets',
    dosage: 'One tablet twice a day',
    quantity: 56,
    unit: 'tablet',
    codeChecked: false,
  },
};

/** Repeat medicines started for each condition, with the probability a patient with the condition is on it. */
export const CONDITION_MEDICINES: Record<ConditionKey, readonly (readonly [string, number])[]> = {
  hypertension: [
    ['amlodipine', 0.55],
    ['ramipril', 0.4],
    ['losartan', 0.12],
    ['atorvastatin', 0.4],
  ],
  diabetes: [
    ['metformin', 0.85],
    ['empagliflozin', 0.25],
    ['atorvastatin', 0.75],
    ['ramipril', 0.25],
  ],
  copd: [['salbutamol', 0.9]],
  asthma: [['salbutamol', 0.95]],
  'atrial-fibrillation': [
    ['apixaban', 0.75],
    ['bisoprolol', 0.55],
  ],
  'heart-failure': [
    ['bisoprolol', 0.7],
    ['ramipril', 0.6],
    ['furosemide', 0.6],
    ['spironolactone', 0.3],
    ['empagliflozin', 0.2],
  ],
  ckd: [
    ['ramipril', 0.3],
    ['atorvastatin', 0.5],
  ],
  stroke: [
    ['clopidogrel', 0.7],
    ['atorvastatin', 0.8],
  ],
  dementia: [],
  depression: [['sertraline', 0.4]],
  cancer: [],
};

// ---------------------------------------------------------------------------------------------
// Allergies
// ---------------------------------------------------------------------------------------------

export interface AllergyDef {
  snomed: string;
  display: string;
  category: 'medication' | 'food' | 'environment';
  /** Probability per patient. */
  probability: number;
}

export const ALLERGIES: readonly AllergyDef[] = [
  { snomed: '91936005', display: 'Allergy to penicillin', category: 'medication', probability: 0.06 },
  { snomed: '293586001', display: 'Allergy to aspirin', category: 'medication', probability: 0.01 },
  { snomed: '91935009', display: 'Allergy to peanut', category: 'food', probability: 0.012 },
  { snomed: '300916003', display: 'Latex allergy', category: 'environment', probability: 0.006 },
];

export const REACTIONS: readonly { snomed: string; display: string; severity: 'mild' | 'moderate' | 'severe' }[] = [
  { snomed: '271807003', display: 'Eruption of skin', severity: 'mild' },
  { snomed: '126485001', display: 'Urticaria', severity: 'moderate' },
  { snomed: '39579001', display: 'Anaphylaxis', severity: 'severe' },
];

/** Presenting problems recorded as reasonCode on emergency admissions without an LTC reason. */
export const EMERGENCY_PRESENTATIONS: readonly { snomed: string; display: string }[] = [
  { snomed: '29857009', display: 'Chest pain' },
  { snomed: '267036007', display: 'Dyspnea' },
  { snomed: '1912002', display: 'Fall' },
  { snomed: '68566005', display: 'Urinary tract infectious disease' },
  { snomed: '233604007', display: 'Pneumonia' },
  { snomed: '21522001', display: 'Abdominal pain' },
  { snomed: '91302008', display: 'Sepsis' },
];

// ---------------------------------------------------------------------------------------------
// Observations (LOINC / UCUM)
// ---------------------------------------------------------------------------------------------

export interface ObservationCode {
  loinc: string;
  display: string;
  unit?: string;
  ucum?: string;
  category: 'vital-signs' | 'laboratory';
}

export const OBS = {
  bpPanel: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', category: 'vital-signs' },
  systolic: {
    loinc: '8480-6',
    display: 'Systolic blood pressure',
    unit: 'mmHg',
    ucum: 'mm[Hg]',
    category: 'vital-signs',
  },
  diastolic: {
    loinc: '8462-4',
    display: 'Diastolic blood pressure',
    unit: 'mmHg',
    ucum: 'mm[Hg]',
    category: 'vital-signs',
  },
  heartRate: { loinc: '8867-4', display: 'Heart rate', unit: 'beats/minute', ucum: '/min', category: 'vital-signs' },
  spo2: {
    loinc: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    unit: '%',
    ucum: '%',
    category: 'vital-signs',
  },
  weight: { loinc: '29463-7', display: 'Body weight', unit: 'kg', ucum: 'kg', category: 'vital-signs' },
  bmi: {
    loinc: '39156-5',
    display: 'Body mass index (BMI) [Ratio]',
    unit: 'kg/m2',
    ucum: 'kg/m2',
    category: 'vital-signs',
  },
  hba1c: {
    loinc: '4548-4',
    display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    unit: '%',
    ucum: '%',
    category: 'laboratory',
  },
  egfr: {
    loinc: '33914-3',
    display:
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)',
    unit: 'mL/min/1.73m2',
    ucum: 'mL/min/{1.73_m2}',
    category: 'laboratory',
  },
  cholesterol: {
    loinc: '14647-2',
    display: 'Cholesterol [Moles/volume] in Serum or Plasma',
    unit: 'mmol/L',
    ucum: 'mmol/L',
    category: 'laboratory',
  },
} as const satisfies Record<string, ObservationCode>;
