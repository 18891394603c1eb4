/**
 * Standardised referral forms (docs/REFERRALS.md, "Forms"): the module publishes one Questionnaire
 * per specialty (reference data, written by its system actor at start when missing or older), and
 * `Questionnaire/$populate` pre-fills one from the record. The lifecycle validates the answers.
 */
import type { Questionnaire } from '@medplum/fhirtypes';
import { registerOperations } from '../../fhir/operations/registry.ts';
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import { POPULATE } from './populate.ts';
import { REFERRAL_FORMS } from './questionnaires.ts';

/** Writes each form that is missing or of another version (idempotent; safe on every instance). */
export async function publishForms(context: Pick<ModuleContext, 'system'>): Promise<number> {
  let written = 0;
  for (const form of REFERRAL_FORMS) {
    const stored = await context.system.read('Questionnaire', form.id!).then(
      (s) => JSON.parse(s.json ?? '{}') as Questionnaire,
      () => undefined,
    );
    if (stored?.version !== form.version || JSON.stringify(stored?.item) !== JSON.stringify(form.item)) {
      await context.system.update('Questionnaire', form.id!, form);
      written++;
    }
  }
  return written;
}

export function formsParts(context: ModuleContext<unknown>): ModuleParts {
  return {
    fhir: (fhir) => registerOperations(fhir, { context }, [POPULATE]),
    start: async () => {
      await publishForms(context);
    },
  };
}
