import type { Coding, Flag } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { SENSITIVITY_SYSTEM, withheldFromOnlineView } from './online-view.ts';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const flag = (security?: Coding[]): Flag => ({
  resourceType: 'Flag',
  status: 'active',
  code: { text: 'Alert' },
  subject: { reference: 'Patient/p1' },
  ...(security ? { meta: { security } } : {}),
});

describe('withheldFromOnlineView', () => {
  it.each<[string, Coding[] | undefined, boolean]>([
    ['no labels', undefined, false],
    ['an empty meta.security', [], false],
    ['marked not for online view', [{ system: SENSITIVITY_SYSTEM, code: 'not-for-online-view' }], true],
    ['safeguarding (sensitivity)', [{ system: SENSITIVITY_SYSTEM, code: 'safeguarding' }], true],
    ['safeguarding (ActCode SDV)', [{ system: ACT, code: 'SDV' }], true],
    ['safeguarding (ActCode SOC)', [{ system: ACT, code: 'SOC' }], true],
    [
      'safeguarding released by a clinician',
      [
        { system: SENSITIVITY_SYSTEM, code: 'safeguarding' },
        { system: SENSITIVITY_SYSTEM, code: 'online-view-released' },
      ],
      false,
    ],
    [
      'released, but marked not for online view',
      [
        { system: ACT, code: 'SDV' },
        { system: SENSITIVITY_SYSTEM, code: 'online-view-released' },
        { system: SENSITIVITY_SYSTEM, code: 'not-for-online-view' },
      ],
      true,
    ],
    ['mental health', [{ system: ACT, code: 'PSY' }], false],
    ['sexual health', [{ system: ACT, code: 'HIV' }], false],
    // As on the server: mental health decides the category, but any safeguarding label withholds.
    [
      'mental health and safeguarding',
      [
        { system: ACT, code: 'MH' },
        { system: ACT, code: 'SDV' },
      ],
      true,
    ],
    ['the SDV code of another system', [{ system: 'http://example.org', code: 'SDV' }], false],
    ['the safeguarding code of another system', [{ system: ACT, code: 'safeguarding' }], false],
    ['not-for-online-view of another system', [{ system: ACT, code: 'not-for-online-view' }], false],
  ])('%s → %s', (_name, security, withheld) => {
    expect(withheldFromOnlineView(flag(security))).toBe(withheld);
  });
});
