import { useQuery } from '@tanstack/react-query';
import { unreadCountQuery } from './api.ts';

/**
 * The header's "Inbox" link text with the unread count as a badge. The badge is for the eye; screen
 * readers hear "Inbox, 3 unread". Read every 30 seconds and when the window regains focus; while
 * the API is not there (404) or fails, the link is just "Inbox".
 */
export function InboxLabel({ label }: { label: string }) {
  const { data } = useQuery(unreadCountQuery);
  const unread = data?.unread ?? 0;
  if (unread <= 0) {
    return <>{label}</>;
  }
  return (
    <>
      {label}
      <span className="nhsuk-u-visually-hidden">, {unread} unread</span>
      <span className="cw-badge" aria-hidden="true">
        {unread > 99 ? '99+' : unread}
      </span>
    </>
  );
}
