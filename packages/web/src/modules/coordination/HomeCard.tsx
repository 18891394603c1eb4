import { useQuery } from '@tanstack/react-query';
import { WorkCard } from '../home/WorkCard.tsx';
import { myTasksQuery } from './api.ts';

/** Home card: care-plan tasks assigned to me or my role. */
export default function TasksCard() {
  const { data } = useQuery(myTasksQuery);
  return (
    <WorkCard title="My care tasks" href="/coordination/tasks" count={data?.tasks.length} countText="to do">
      Tasks from shared care plans and multidisciplinary meetings, with the overdue ones first.
    </WorkCard>
  );
}
