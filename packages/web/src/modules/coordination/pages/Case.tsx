import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { BAND_NAMES, caseQuery, longDate, ROLE_NAMES, type CaseView, type PlanTask } from '../api.ts';
import { CompleteTask } from '../CompleteTask.tsx';
import { HubNav, OverdueTag } from '../fields.tsx';
import { GoalForm, TaskForm } from '../PlanForms.tsx';

const OPEN = ['requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold'];
const STATUS: Record<string, string> = {
  requested: 'To do',
  'in-progress': 'In progress',
  completed: 'Done',
  cancelled: 'Cancelled',
};

function taskColumns(onDone: (message: string) => void): Column<PlanTask>[] {
  return [
    { key: 'task', header: 'Task', rowHeader: true, cell: (t) => t.description },
    {
      key: 'who',
      header: 'Assigned to',
      cell: (t) => [t.role ? ROLE_NAMES[t.role] : undefined, t.ownerName].filter(Boolean).join(': '),
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
    { key: 'status', header: 'Status', cell: (t) => STATUS[t.status] ?? t.status },
    {
      key: 'action',
      header: 'Action',
      cell: (t) => (OPEN.includes(t.status) ? <CompleteTask task={t} onDone={onDone} /> : ''),
    },
  ];
}

/** A case's multidisciplinary care plan: team, goals and tasks (overdue first), and the forms to add to it. */
export default function Case() {
  const { id = '' } = useParams();
  const plan = useQuery(caseQuery(id));
  const [done, setDone] = useState<string | undefined>();
  const announce = (message: string) => {
    setDone(message);
    window.scrollTo(0, 0);
  };
  return (
    <>
      <PageTitle caption="Care coordination" title={plan.data ? `Care plan: ${plan.data.patient.name}` : 'Care plan'}>
        {plan.data ? `Care plan for ${plan.data.patient.name}` : 'Care plan'}
      </PageTitle>
      <HubNav />
      {done && <Notice title={done} />}
      {plan.status === 'pending' && <Loading what="the care plan" />}
      {plan.status === 'error' && <ErrorMessage title="The care plan could not be loaded" error={plan.error} />}
      {plan.status === 'success' && <PlanBody plan={plan.data} onDone={announce} />}
    </>
  );
}

function PlanBody({ plan, onDone }: { plan: CaseView; onDone: (message: string) => void }) {
  return (
    <>
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">NHS number</dt>
          <dd className="nhsuk-summary-list__value">{plan.patient.nhsNumber ?? 'Not recorded'}</dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Next review</dt>
          <dd className="nhsuk-summary-list__value">{longDate(plan.carePlan.nextReview)}</dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Risk of emergency admission</dt>
          <dd className="nhsuk-summary-list__value">{plan.riskBand ? BAND_NAMES[plan.riskBand] : 'Not scored'}</dd>
        </div>
      </dl>
      <p className="nhsuk-body">
        <a href={`/patients/${encodeURIComponent(plan.patient.id)}`}>Open {plan.patient.name}’s record</a>
      </p>
      <h2 className="nhsuk-heading-m">Care team</h2>
      <ul className="nhsuk-list nhsuk-list--bullet">
        {plan.team
          .filter((m) => m.current)
          .map((m) => (
            <li key={`${m.member}-${m.role ?? ''}`}>
              {m.role ? `${ROLE_NAMES[m.role] ?? m.role}: ` : ''}
              {m.name ?? m.member}
            </li>
          ))}
      </ul>
      <h2 className="nhsuk-heading-m">Goals</h2>
      {plan.goals.length === 0 ? (
        <p className="nhsuk-body">No goals yet.</p>
      ) : (
        <ul className="nhsuk-list nhsuk-list--bullet">
          {plan.goals.map((g) => (
            <li key={g.id}>
              {g.description}
              {g.due ? ` (by ${longDate(g.due)})` : ''}
            </li>
          ))}
        </ul>
      )}
      <h2 className="nhsuk-heading-m">Tasks</h2>
      {plan.tasks.length === 0 ? (
        <p className="nhsuk-body">No tasks yet.</p>
      ) : (
        <ResponsiveTable
          caption="Tasks on the plan, overdue first"
          columns={taskColumns(onDone)}
          rows={plan.tasks}
          rowKey={(t) => t.id}
        />
      )}
      {plan.canEdit && (
        <>
          <GoalForm plan={plan} onDone={onDone} />
          <TaskForm plan={plan} onDone={onDone} />
        </>
      )}
    </>
  );
}
