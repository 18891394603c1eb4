import { describe, expect, it } from 'vitest';
import type { LevelRule } from '../protocols/api.ts';
import { adjustableRules, checkThresholds, overridesFrom, thresholdForm } from './thresholds.ts';

/** The COPD protocol's level rules (server: telehealth/protocols/library/copd.ts). */
const copd: { levels: LevelRule[] } = {
  levels: [
    { measure: 'spo2', level: 'red', below: 88, reason: 'Oxygen below 88%' },
    { measure: 'pulse', level: 'red', atLeast: 130, reason: 'Pulse 130 or more at rest' },
    { measure: 'spo2', level: 'amber', below: 92, reason: 'Oxygen below 92%' },
    { measure: 'pulse', level: 'amber', atLeast: 110, reason: 'Pulse 110 or more at rest' },
    { measure: 'answer', level: 'amber', equals: 1, reason: 'More breathless than usual' },
  ],
};

describe('own thresholds', () => {
  it('offers a box for each numeric rule, none for yes/no answers', () => {
    expect(adjustableRules(copd).map((r) => r.id)).toEqual([
      'threshold-0',
      'threshold-1',
      'threshold-2',
      'threshold-3',
    ]);
  });

  it('empty boxes are the protocol: no overrides', () => {
    expect(checkThresholds(copd, {})).toEqual({});
    expect(overridesFrom(copd, {})).toEqual([]);
  });

  it('a changed measure overrides all its rules, the untouched ones at the protocol value', () => {
    const overrides = overridesFrom(copd, { 'threshold-0': '85' });
    expect(overrides).toEqual([
      expect.objectContaining({ measure: 'spo2', level: 'red', below: 85 }),
      expect.objectContaining({ measure: 'spo2', level: 'amber', below: 92 }),
    ]);
    expect(overrides[0]!.reason).toBe('Oxygen saturation (SpO2) below 85% (the patient’s own threshold)');
  });

  it('reads a plan’s overrides back into the form', () => {
    const overrides = overridesFrom(copd, { 'threshold-0': '85', 'threshold-2': '90' });
    expect(thresholdForm(copd, overrides)).toEqual({
      'threshold-0': '85',
      'threshold-1': '',
      'threshold-2': '90',
      'threshold-3': '',
    });
  });

  it.each([
    [
      { 'threshold-0': 'low' },
      'threshold-0',
      'Enter the red threshold for oxygen saturation (SpO2) as a number, like 88',
    ],
    [
      { 'threshold-0': '40' },
      'threshold-0',
      'The red threshold for oxygen saturation (SpO2) must be between 70 and 100',
    ],
    [
      { 'threshold-0': '93' },
      'threshold-0',
      'The red threshold for oxygen saturation (SpO2) must be lower than the amber one (92)',
    ],
    [{ 'threshold-1': '100' }, 'threshold-1', 'The red threshold for pulse must be higher than the amber one (110)'],
  ])('refuses %j', (form, field, message) => {
    expect(checkThresholds(copd, form)).toEqual({ [field]: message });
  });
});
