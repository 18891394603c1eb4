/**
 * The core personal profile (issue 12; docs/CARE-PROFILE.md): for high-risk people and anyone a
 * clinician opens one for, a FHIR `Composition` built from the record and kept current by a
 * reaction to the record's writes; `Patient/{id}/$care-profile` gives each caller their copy; the
 * clinician records what matters, communication needs, end-of-life wishes and the ReSPECT form;
 * the patient suggests corrections, which the practice accepts or declines.
 */
import { registerOperations } from '../fhir/operations/registry.ts';
import { defineModule } from '../modules/contract.ts';
import { ProfileInputService } from './inputs.service.ts';
import { CARE_PROFILE } from './operation.ts';
import { CareProfileService } from './profile.service.ts';
import { keepProfilesCurrent } from './reactions.ts';
import { registerProfileRoutes } from './routes.ts';
import { seedCareProfiles } from './seed.ts';
import { SuggestionService } from './suggestions.service.ts';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    'care-profile': CareProfileService;
  }
}

export const careProfileModule = defineModule({
  name: 'care-profile',
  title: 'Core personal profile',
  // It reads the record and writes only the profile and patients' suggested corrections.
  systemScopes: ['system/*.rs', 'system/Composition.cruds', 'system/Task.cruds'],
  setup: (context) => {
    const profiles = new CareProfileService(context);
    const actorOf = context.actorOf.bind(context);
    return {
      provides: { 'care-profile': profiles },
      fhir: (fhir) => registerOperations(fhir, { profiles, actorOf }, [CARE_PROFILE]),
      apiScopes: { read: ['Patient.r', 'Composition.rs'], write: ['Composition.cu'] },
      routes: (app) =>
        registerProfileRoutes(app, {
          actorOf,
          inputs: new ProfileInputService(context),
          suggestions: new SuggestionService(context),
        }),
      reactions: [keepProfilesCurrent(profiles, context.system)],
      seed: async ({ seed, log }) => {
        const made = await seedCareProfiles(context.system, profiles, { seed });
        if (made) {
          log(`Core personal profiles: ${made} made for the demo practice's patients`);
        }
      },
    };
  },
});
