import { useQuery } from '@tanstack/react-query';
import { useSession } from '../../auth/session.ts';
import { WorkCard } from '../home/WorkCard.tsx';
import { loadQueue, QUEUE_KEY } from './repeat-queue.ts';

/** Home card: the practice's repeat prescription requests waiting for a decision. */
export default function RepeatsCard() {
  const session = useSession();
  const organisationId = session?.kind === 'staff' ? session.organizationId : undefined;
  const queue = useQuery({ queryKey: [...QUEUE_KEY, organisationId], queryFn: () => loadQueue(organisationId) });
  return (
    <WorkCard
      title="Repeat prescription requests"
      href="/practice/repeat-requests"
      count={queue.data?.requests.length}
      countText="waiting"
    >
      Patients’ requests for repeat medicines, oldest first, to approve or refuse.
    </WorkCard>
  );
}
