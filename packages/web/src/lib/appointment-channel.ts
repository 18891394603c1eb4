import type { CodeableConcept } from '@medplum/fhirtypes';

/**
 * How an appointment is held, as the practice offers each slot: a `serviceType` coding in this system
 * (packages/server/src/portal/slots.ts), copied onto the Appointment when it is booked. The patient
 * chooses by it; the GP's record shows it.
 */
export const CHANNEL_SYSTEM = 'https://careweave.example/fhir/CodeSystem/appointment-channel';

export type Channel = 'telephone' | 'face-to-face';

/** Phone or face to face, when the practice said (undefined for a slot or visit that does not say). */
export function channelOf(serviceType: CodeableConcept[] | undefined): Channel | undefined {
  const code = (serviceType ?? []).flatMap((c) => c.coding ?? []).find((c) => c.system === CHANNEL_SYSTEM)?.code;
  return code === 'telephone' || code === 'face-to-face' ? code : undefined;
}

/** "By phone" or "Face to face" (empty when unknown). */
export function channelText(channel: Channel | undefined): string {
  return channel === 'telephone' ? 'By phone' : channel === 'face-to-face' ? 'Face to face' : '';
}
