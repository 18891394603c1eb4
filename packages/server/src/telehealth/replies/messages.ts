/**
 * The automatic answers to what could not be used: friendly, specific, with an example of the
 * format we need; never clinical advice (that is the protocol's reply for a reading's level).
 */
import { askAgainText, type ParsedReply, type ReplyProblem } from './parse.ts';

export const HELP_TEXT =
  'CareWeave: reply with your readings when we ask. Text PAUSE to pause, RESUME to start again, STOP to stop ' +
  'all texts. This service is not monitored all the time: if you feel very unwell call 999, or 111 for advice.';

export const PAUSED_TEXT = 'Your CareWeave texts are paused. Text RESUME when you want them again.';
export const RESUMED_TEXT = 'Welcome back: your CareWeave texts will start again at the next reading time.';

/** What to say about the problems of a reply, or undefined when there are none. */
export function problemText(parsed: ParsedReply): string | undefined {
  if (!parsed.problems.length) {
    return undefined;
  }
  const implausible = parsed.problems.filter((p) => p.kind === 'implausible');
  const ambiguous = parsed.problems.filter((p) => p.kind === 'ambiguous');
  const unread = parsed.problems.filter((p) => p.kind === 'unreadable' || p.kind === 'missing');
  const parts: string[] = [];
  if (implausible.length) {
    parts.push(
      `The reading ${quoted(implausible)} doesn't look right. Please check it and send your ${askAgainText(implausible)}.`,
    );
  }
  if (ambiguous.length) {
    parts.push(`Sorry, we weren't sure which number was which. Please send your ${askAgainText(ambiguous)}.`);
  }
  if (unread.length) {
    parts.push(
      parsed.readings.length
        ? `Thank you. Please also send your ${askAgainText(unread)}.`
        : `Sorry, we couldn't read that. Please send your ${askAgainText(unread)}.`,
    );
  }
  return parts.join(' ');
}

function quoted(problems: readonly ReplyProblem[]): string {
  return problems.map((p) => (p.text ? `"${p.text}"` : '')).join(' and ');
}
