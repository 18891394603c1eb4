import { ConfigError, ENV_PREFIX } from '../config/config.ts';
import type { CareModule } from './contract.ts';

/** `telehealth` → `CAREWEAVE_TELEHEALTH_`; `care-coordination` → `CAREWEAVE_CARE_COORDINATION_`. */
export function settingsPrefix(moduleName: string): string {
  return `${ENV_PREFIX}${moduleName.toUpperCase().replace(/-/g, '_')}_`;
}

/**
 * Every module's settings, validated together at start-up: one error lists every problem with the
 * full variable name, so a deployment fails loudly before it serves anything.
 */
export function loadModuleSettings(
  modules: readonly CareModule[],
  env: Readonly<Record<string, string | undefined>>,
): Map<string, unknown> {
  const settings = new Map<string, unknown>();
  const problems: string[] = [];
  for (const module of modules) {
    if (!module.settings) {
      settings.set(module.name, {});
      continue;
    }
    const prefix = settingsPrefix(module.name);
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) {
      if (key.startsWith(prefix) && value !== undefined && value !== '') {
        raw[key.slice(prefix.length)] = value;
      }
    }
    const parsed = module.settings.safeParse(raw);
    if (parsed.success) {
      settings.set(module.name, parsed.data);
    } else {
      problems.push(...parsed.error.issues.map((issue) => `  ${prefix}${issue.path.join('.')}: ${issue.message}`));
    }
  }
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return settings;
}
