import type { Coding, Resource } from '@medplum/fhirtypes';

export const SENSITIVITY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/sensitivity';
const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

const has = (security: readonly Coding[], system: string, codes: readonly string[]): boolean =>
  security.some((c) => c.system === system && c.code !== undefined && codes.includes(c.code));

/**
 * Whether the patient and their carers do not see this resource online (docs/ACCESS.md, *What the
 * patient sees of their own record*; the server's rule in src/access/online-view.ts): a clinician
 * marked it `not-for-online-view`, or it carries any safeguarding security label (ActCode SDV or
 * SOC, or sensitivity `safeguarding`, also when another label decides its category) and has not
 * been released with `online-view-released`.
 *
 * @example withheldFromOnlineView({ resourceType: 'Flag', meta: { security: [{ system: SENSITIVITY_SYSTEM, code: 'safeguarding' }] }, … }) // true
 */
export function withheldFromOnlineView(resource: Resource): boolean {
  const security = resource.meta?.security ?? [];
  if (has(security, SENSITIVITY_SYSTEM, ['not-for-online-view'])) {
    return true;
  }
  const safeguarding =
    has(security, ACT_CODE_SYSTEM, ['SDV', 'SOC']) || has(security, SENSITIVITY_SYSTEM, ['safeguarding']);
  return safeguarding && !has(security, SENSITIVITY_SYSTEM, ['online-view-released']);
}
