import type { Bundle, Consent, Patient } from '@medplum/fhirtypes';
import { DATA_CATEGORY_SYSTEM, type StaffActor } from '../access/actor.ts';
import { patientEverything } from '../fhir/operations/everything.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Platform } from '../http/app.ts';
import { ensureDemoAgreement } from '../platform/demo-agreement.ts';
import { buildInfrastructureModel, orgIdForOds } from '../seed/infrastructure.ts';
import { Rng } from '../seed/index.ts';
import type { Figure } from './report.ts';
import { summarize, type LatencySummary } from './stats.ts';

/** Share of the practice's patients given a consent rule (withholding a category from the acute trust). */
const CONSENT_SHARE = 0.05;
const ACUTE_TRUST = orgIdForOds('RVY');

export interface PolicyCase {
  actor: 'GP' | 'acute trust clinician';
  query: string;
  off: LatencySummary;
  onNoAudit: LatencySummary;
  onWithAudit: LatencySummary;
  /** Median on / median off. */
  ratioNoAudit: number;
  ratioWithAudit: number;
  meanEntries: number;
}

interface Query {
  label: string;
  run(service: ResourceService, patientId: string): Promise<Bundle>;
}

const search =
  (type: string, query: (patientId: string) => [string, string][]) =>
  (service: ResourceService, patientId: string): Promise<Bundle> =>
    service.search(type, query(patientId));

const QUERIES: readonly Query[] = [
  {
    label: 'Observation?patient={id}&code=http://loinc.org|8867-4&_sort=-date',
    run: search('Observation', (id) => [
      ['patient', id],
      ['code', 'http://loinc.org|8867-4'],
      ['_sort', '-date'],
    ]),
  },
  {
    label: 'Observation?patient={id}&_count=50',
    run: search('Observation', (id) => [
      ['patient', id],
      ['_count', '50'],
    ]),
  },
  {
    label: 'Encounter?patient={id}&_total=accurate',
    run: search('Encounter', (id) => [
      ['patient', id],
      ['_total', 'accurate'],
    ]),
  },
  {
    label: 'Encounter?patient={id}&_include=Encounter:service-provider',
    run: search('Encounter', (id) => [
      ['patient', id],
      ['_include', 'Encounter:service-provider'],
    ]),
  },
  { label: 'Patient/{id}/$everything', run: (service, id) => patientEverything(service, id, {}) },
  {
    label: 'Observation?code=http://loinc.org|8867-4&_count=20 (all patients)',
    run: search('Observation', () => [
      ['code', 'http://loinc.org|8867-4'],
      ['_count', '20'],
    ]),
  },
];

function staff(organizationId: string, practitionerId: string, type: StaffActor['organizationType']): StaffActor {
  return {
    kind: 'staff',
    userId: `bench-${practitionerId}`,
    practitionerId,
    organizationId,
    organizationType: type,
    roleCode: 'R8000',
    scopes: ['user/*.cruds'],
  };
}

/** The demo agreement, and consents for a share of the patients: the policy's realistic inputs. */
async function preparePolicyData(platform: Platform, patientIds: string[], rng: Rng): Promise<number> {
  await ensureDemoAgreement(platform);
  const consenting = patientIds.filter(() => rng.next() < CONSENT_SHARE);
  for (const id of consenting) {
    const consent: Consent = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${id}` },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'deny',
        actor: [
          {
            role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PROV' }] },
            reference: { reference: `Organization/${ACUTE_TRUST}` },
          },
        ],
        code: [{ coding: [{ system: DATA_CATEGORY_SYSTEM, code: 'observations' }] }],
      },
    };
    await platform.resources.create('Consent', consent);
  }
  return consenting.length;
}

async function practicePatients(platform: Platform, practiceId: string): Promise<string[]> {
  const bundle = await platform.resources.search('Patient', [
    ['general-practitioner', `Organization/${practiceId}`],
    ['_count', '1000'],
    ['_elements', 'id'],
  ]);
  return (bundle.entry ?? []).map((e) => (e.resource as Patient).id!);
}

/** Patients the organisation has a legitimate relationship with now (docs/ACCESS.md), up to 1,000. */
async function relatedPatients(platform: Platform, organizationId: string): Promise<string[]> {
  const rows = await platform.db.query<{ patient_id: string }>(
    `select distinct patient_id from access_relationship where organization_id = $1
        and (valid_from is null or valid_from <= now()) and (valid_to is null or valid_to >= now())
      order by patient_id limit 1000`,
    [organizationId],
  );
  return rows.map((row) => row.patient_id);
}

async function time(run: () => Promise<Bundle>): Promise<{ ms: number; entries: number }> {
  const started = performance.now();
  const bundle = await run();
  return { ms: performance.now() - started, entries: bundle.entry?.length ?? 0 };
}

/**
 * The cost of enforcement, in process (no HTTP), for the same queries and patients: policy off
 * (the unrestricted service), on without the audit row, and on with it. The three variants run
 * interleaved, per iteration, so drifting machine load hits them alike.
 */
export async function policyBenchmark(
  platform: Platform,
  options: { iterations: number; seed: number; log: (message: string) => void },
): Promise<{ cases: PolicyCase[]; consents: number; patients: number }> {
  const model = buildInfrastructureModel(options.seed);
  const practice = model.practices[0]!;
  const patients = await practicePatients(platform, practice.orgId);
  if (!patients.length) {
    throw new Error(`policy benchmark: no patients registered at ${practice.orgId}`);
  }
  const rng = new Rng(options.seed, 23);
  const consents = await preparePolicyData(platform, patients, rng);
  options.log(`policy: ${patients.length} patients at ${practice.def.name}, ${consents} with a consent rule`);
  const actors = [
    { name: 'GP' as const, actor: staff(practice.orgId, practice.gps[0]!.id, 'gp-practice'), patients },
    {
      name: 'acute trust clinician' as const,
      actor: staff(ACUTE_TRUST, 'bench-acute-clinician', 'acute-trust'),
      patients: await relatedPatients(platform, ACUTE_TRUST),
    },
  ];
  const cases: PolicyCase[] = [];
  for (const { name, actor, patients } of actors) {
    if (!patients.length) {
      options.log(`policy: ${name}: no patients with a relationship; skipped`);
      continue;
    }
    const variants = [
      platform.resources,
      platform.resources.forCaller(platform.accessFor(actor, { audit: false })),
      platform.resources.forCaller(platform.accessFor(actor)),
    ];
    for (const query of QUERIES) {
      const samples: number[][] = [[], [], []];
      let entries = 0;
      for (let i = -5; i < options.iterations; i++) {
        const patient = patients[rng.int(patients.length)]!;
        for (const [v, service] of variants.entries()) {
          const result = await time(() => query.run(service, patient));
          if (i >= 0) {
            samples[v]!.push(result.ms);
            entries += v === 1 ? result.entries : 0;
          }
        }
      }
      const [off, onNoAudit, onWithAudit] = samples.map((s) => summarize(s)) as [
        LatencySummary,
        LatencySummary,
        LatencySummary,
      ];
      const ratio = (on: LatencySummary): number => Math.round((on.p50Ms / off.p50Ms) * 100) / 100;
      cases.push({
        actor: name,
        query: query.label,
        off,
        onNoAudit,
        onWithAudit,
        ratioNoAudit: ratio(onNoAudit),
        ratioWithAudit: ratio(onWithAudit),
        meanEntries: Math.round(entries / options.iterations),
      });
      options.log(
        `policy: ${name}: ${query.label}: off ${off.p50Ms} ms, on ${onNoAudit.p50Ms} ms (${ratio(onNoAudit)}×), on + audit ${onWithAudit.p50Ms} ms (${ratio(onWithAudit)}×)`,
      );
    }
  }
  return { cases, consents, patients: patients.length };
}

/** One report figure per actor and query: the latency with the policy on (no audit), and the ratios. */
export function policyFigures(
  database: Figure['database'],
  resources: number,
  result: { cases: PolicyCase[]; consents: number; patients: number },
  targetRatio: number,
): Figure[] {
  return result.cases.map((c) => ({
    id: `policy:${c.actor}:${c.query}`,
    benchmark: `Policy cost, ${c.actor}: ${c.query}`,
    database,
    resources,
    method: `in process (no HTTP), ${c.off.count} runs per variant, interleaved, random patients of one practice (${result.patients}; ${result.consents} with a consent rule); median off ${c.off.p50Ms} ms, on ${c.onNoAudit.p50Ms} ms (${c.ratioNoAudit}×), on + audit row ${c.onWithAudit.p50Ms} ms (${c.ratioWithAudit}×); ${c.meanEntries} entries`,
    latency: c.onNoAudit,
    target: { text: `on ≤ ${targetRatio}× off (median)`, met: c.ratioNoAudit <= targetRatio },
    details: { ...c },
  }));
}
