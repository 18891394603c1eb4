import { useQuery } from '@tanstack/react-query';
import { WorkCard } from '../home/WorkCard.tsx';
import { unreadCountQuery } from './api.ts';

/** Home card: unread notifications (results, alerts, messages, tasks). */
export default function InboxCard() {
  const { data } = useQuery(unreadCountQuery);
  return (
    <WorkCard title="Inbox" href="/inbox" count={data?.unread} countText="unread" urgent>
      Alerts, results, messages and tasks sent to you, urgent first.
    </WorkCard>
  );
}
