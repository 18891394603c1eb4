/**
 * The protocol library: each protocol cites the guideline it follows, and every rule is in
 * docs/CLINICAL-SAFETY.md (H-101 onwards) with the test that proves it (library.test.ts).
 */
import { checkProtocol, type Protocol } from '../model.ts';
import { asthma } from './asthma.ts';
import { atrialFibrillation } from './atrial-fibrillation.ts';
import { copd } from './copd.ts';
import { diabetes } from './diabetes.ts';
import { heartFailure } from './heart-failure.ts';
import { homeBloodPressure } from './home-bp.ts';
import { medicationReminder } from './medication-reminder.ts';
import { moodPhq2 } from './mood-phq2.ts';
import { postDischarge } from './post-discharge.ts';
import { smokingCessation } from './smoking-cessation.ts';
import { weightManagement } from './weight-management.ts';

/** Validated when this module loads: a malformed protocol stops the server at start-up. */
export const PROTOCOL_LIBRARY: readonly Protocol[] = [
  homeBloodPressure,
  copd,
  heartFailure,
  diabetes,
  asthma,
  atrialFibrillation,
  moodPhq2,
  weightManagement,
  smokingCessation,
  medicationReminder,
  postDischarge,
].map((protocol) => checkProtocol(protocol));

export function libraryProtocol(id: string): Protocol | undefined {
  return PROTOCOL_LIBRARY.find((protocol) => protocol.id === id);
}
