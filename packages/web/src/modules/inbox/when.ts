import { formatDate, formatTime, londonDay } from '../../lib/dates.ts';

/**
 * When a notification was sent, as people say it, in England's time: "Today 14:05",
 * "Yesterday 09:30", else "3 March 2026 14:05".
 */
export function describeWhen(sentAt: string, now = new Date()): string {
  const day = londonDay(sentAt);
  const time = formatTime(sentAt);
  if (day === londonDay(now)) {
    return `Today ${time}`;
  }
  const yesterday = new Date(`${londonDay(now)}T12:00:00Z`);
  yesterday.setUTCDate(yesterday.getUTCDate() - 1);
  if (day === londonDay(yesterday)) {
    return `Yesterday ${time}`;
  }
  return `${formatDate(new Date(sentAt))} ${time}`;
}
