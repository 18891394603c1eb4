import { useQuery } from '@tanstack/react-query';
import { WorkCard } from '../home/WorkCard.tsx';
import { searchAudit, thirtyDaysAgo } from './api.ts';

/** Home card for privacy officers: emergency access of the last 30 days to review. */
export default function AccessReviewCard() {
  const { data } = useQuery({
    queryKey: ['access-review', 'break-glass'],
    queryFn: () => searchAudit({ concern: 'break-glass', from: thirtyDaysAgo() }),
  });
  return (
    <WorkCard title="Access reviews" href="/access-review" count={data?.entries.length} countText="emergency accesses">
      Emergency access and declared care relationships of the last 30 days, and a search of the audit log.
    </WorkCard>
  );
}
