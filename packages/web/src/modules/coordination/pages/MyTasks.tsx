import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { longDate, myTasksQuery, type MyTask } from '../api.ts';
import { CompleteTask } from '../CompleteTask.tsx';
import { HubNav, OverdueTag } from '../fields.tsx';

/** Care-plan tasks assigned to me or my organisation, in any patient's plan, soonest due first. */
export default function MyTasks() {
  const tasks = useQuery(myTasksQuery);
  const [done, setDone] = useState<string | undefined>();
  const columns: Column<MyTask>[] = [
    { key: 'task', header: 'Task', rowHeader: true, cell: (t) => t.description },
    {
      key: 'patient',
      header: 'Patient',
      cell: (t) =>
        t.patient ? <a href={`/coordination/cases/${encodeURIComponent(t.patient.id)}`}>{t.patient.name}</a> : '—',
    },
    {
      key: 'due',
      header: 'Due',
      cell: (t) => (
        <>
          {longDate(t.due)} {t.overdue && <OverdueTag />}
        </>
      ),
    },
    { key: 'action', header: 'Action', cell: (t) => <CompleteTask task={t} onDone={setDone} /> },
  ];
  return (
    <>
      <PageTitle caption="Care coordination">Tasks assigned to me</PageTitle>
      <HubNav />
      {done && <Notice title={done} />}
      {tasks.status === 'pending' && <Loading what="your tasks" />}
      {tasks.status === 'error' && <ErrorMessage title="Your tasks could not be loaded" error={tasks.error} />}
      {tasks.status === 'success' &&
        (tasks.data.tasks.length === 0 ? (
          <Empty>No care plan tasks are assigned to you or your team.</Empty>
        ) : (
          <ResponsiveTable
            caption="Open care plan tasks"
            columns={columns}
            rows={tasks.data.tasks}
            rowKey={(t) => t.id}
          />
        ))}
    </>
  );
}
