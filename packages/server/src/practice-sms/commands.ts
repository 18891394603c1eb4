/**
 * Which replies to a reminder cancel the appointment. Deliberately narrow: a reply that only might
 * mean "cancel" ("can't make it", "running late", "cancel and rebook?") goes to the practice's inbox
 * for a person to read, because cancelling the wrong appointment is worse than a receptionist
 * reading a text (docs/PRACTICE-SMS.md, hazard H-120).
 */
const POLITE = '(?:please|pls|plz|thanks|thank you|thankyou|ta|thx)';
const WHAT = '(?:it|appointment|appt|my appointment|my appt|the appointment|this appointment)';
const CANCEL = new RegExp(`^(?:${POLITE} )?(?:yes )?cancel(?: ${WHAT})?(?: ${POLITE})*$`);

/** True when the whole reply asks to cancel, in one of the accepted ways (any case, punctuation ignored). */
export function isCancelReply(body: string): boolean {
  const words = body.toLowerCase().replace(/[.!,]/g, ' ').replace(/\s+/g, ' ').trim();
  return CANCEL.test(words);
}
