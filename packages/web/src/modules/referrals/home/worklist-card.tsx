import { useQuery } from '@tanstack/react-query';
import { WorkCard } from '../../home/WorkCard.tsx';
import { worklistQuery } from '../api.ts';

/** A home card for one referral worklist: its count (as the caller's organisation sees it) and a link. */
export function WorklistCard({ list, title, text }: { list: string; title: string; text: string }) {
  const { data } = useQuery(worklistQuery(list, {}));
  return (
    <WorkCard title={title} href={`/referrals?list=${list}`} count={data?.items.length} countText="waiting">
      {text}
    </WorkCard>
  );
}
