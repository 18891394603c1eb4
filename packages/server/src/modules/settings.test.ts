import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../config/config.ts';
import { defineModule } from './contract.ts';
import { loadModuleSettings, settingsPrefix } from './settings.ts';

const telehealth = defineModule({
  name: 'care-telehealth',
  title: 'Test',
  settings: z.object({
    REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(9),
    SENDER: z.string().min(3).optional(),
  }),
  setup: () => ({}),
});
const plain = defineModule({ name: 'plain', title: 'No settings', setup: () => ({}) });

describe('module settings', () => {
  it.each([
    ['portal', 'CAREWEAVE_PORTAL_'],
    ['care-telehealth', 'CAREWEAVE_CARE_TELEHEALTH_'],
  ])('names %s settings with the prefix %s', (name, prefix) => {
    expect(settingsPrefix(name)).toBe(prefix);
  });

  it('reads each module its own prefixed variables, with defaults', () => {
    const settings = loadModuleSettings([telehealth, plain], {
      CAREWEAVE_CARE_TELEHEALTH_SENDER: 'CareWeave',
      CAREWEAVE_PLAIN_IGNORED: 'x',
      CAREWEAVE_PORT: '8080',
    });
    expect(settings.get('care-telehealth')).toEqual({ REMINDER_HOUR: 9, SENDER: 'CareWeave' });
    expect(settings.get('plain')).toEqual({});
  });

  it('fails loudly at start-up, naming every bad variable in full', () => {
    const load = () =>
      loadModuleSettings([telehealth], {
        CAREWEAVE_CARE_TELEHEALTH_REMINDER_HOUR: '25',
        CAREWEAVE_CARE_TELEHEALTH_SENDER: 'x',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CAREWEAVE_CARE_TELEHEALTH_REMINDER_HOUR/);
    expect(load).toThrow(/CAREWEAVE_CARE_TELEHEALTH_SENDER/);
  });

  it('refuses a module name that cannot name its settings', () => {
    expect(() => defineModule({ name: 'Tele Health', title: 'x', setup: () => ({}) })).toThrow(/kebab-case/);
  });
});
