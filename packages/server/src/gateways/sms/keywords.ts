/** What an inbound text asks of the opt-out list, if anything. */
export type OptKeyword = 'opt-out' | 'opt-in';

// The keywords carriers and aggregators (Twilio, the UK's PhonepayPlus code) treat as stop and start.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP']);

/**
 * The opt-out keyword a text is, when the whole text (trimmed, any case) is one; otherwise undefined,
 * so "please stop the tablets" is a message for a person, not an opt-out.
 *
 * @example optKeyword(' stop ') // 'opt-out'
 */
export function optKeyword(body: string): OptKeyword | undefined {
  const word = body.trim().toUpperCase();
  return OPT_OUT.has(word) ? 'opt-out' : OPT_IN.has(word) ? 'opt-in' : undefined;
}

// Opt-out keywords that are also the answer to a question a module asks ("reply CANCEL to cancel your
// appointment"). Only these may be claimed by a module before they opt the number out; STOP, STOPALL,
// UNSUBSCRIBE, END and QUIT always opt out.
const REPLY_WORDS = new Set(['CANCEL']);

/** The whole text (trimmed, any case) is a reply word a module may claim before it opts out. */
export function isReplyWord(body: string): boolean {
  return REPLY_WORDS.has(body.trim().toUpperCase());
}
