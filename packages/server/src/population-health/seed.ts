/**
 * Demo data (docs/RISK-MODEL.md, "Demo"): every demo patient scored with the published model, so the
 * practice's ranked list is meaningful on first start, and a demo commissioning agreement by which the
 * practices share risk scores with the CCG for commissioning (pseudonymised), signed by each party.
 */
import type { Organization } from '@medplum/fhirtypes';
import { AgreementRepository } from '../access/agreements.repository.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { RiskModel } from './model/model.ts';
import type { ScoringService } from './scoring/scoring.service.ts';
import { ORGANISATION_TYPE } from './vocabulary.ts';

const AGREEMENT_ID = 'demo-commissioning-risk';

function typeOf(org: Organization): string | undefined {
  return org.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === ORGANISATION_TYPE)?.code;
}

async function ensureCommissioningAgreement(context: ModuleContext): Promise<void> {
  const repository = new AgreementRepository(context.db);
  if (await repository.get(AGREEMENT_ID)) {
    return;
  }
  const bundle = await context.system.search('Organization', [['_count', '1000']]);
  const orgs = (bundle.entry ?? []).map((e) => e.resource as Organization);
  const practices = orgs.filter((o) => typeOf(o) === 'gp-practice').map((o) => o.id!);
  const ccg = orgs.find((o) => typeOf(o) === 'commissioner')?.id;
  if (!ccg || practices.length === 0) {
    return;
  }
  await context.db.transaction(async (tx) => {
    const inTx = new AgreementRepository(tx);
    await inTx.insert({
      id: AGREEMENT_ID,
      title: 'Risk stratification for commissioning: pseudonymised (demo)',
      purposes: ['commissioning'],
      lawfulBasis:
        'UK GDPR Art. 6(1)(e) and 9(2)(h); pseudonymised under the risk stratification section 251 support (demo)',
      validFrom: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      validTo: null,
      providers: practices,
      recipients: [ccg],
      recipientRoles: [],
      categories: ['other'],
      createdBy: { demo: true },
    });
    for (const party of [...practices, ccg]) {
      await inTx.sign(AGREEMENT_ID, party, 'Practitioner/demo-setup', `demo-setup-${party}`);
    }
    await inTx.refreshGrants(AGREEMENT_ID);
  });
}

export async function seedPopulationHealth(
  context: ModuleContext,
  scoring: ScoringService,
  model: RiskModel,
  log: (line: string) => void,
): Promise<void> {
  await ensureCommissioningAgreement(context);
  const started = Date.now();
  const patients = await scoring.refreshHistories();
  const summary = await scoring.scoreAll(model);
  log(
    `Risk scores (${model.version}): ${summary.patients} of ${patients} patients scored, ` +
      `${summary.bands['very-high']} very high and ${summary.bands.high} high risk; ` +
      `${summary.assessmentsWritten} RiskAssessments written in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
}
