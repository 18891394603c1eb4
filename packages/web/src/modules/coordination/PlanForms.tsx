import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorSummary } from '../../components/ErrorSummary.tsx';
import { ErrorMessage } from '../../components/feedback.tsx';
import { addGoal, addTask, COORDINATION_KEY, directoryQuery, type CaseView } from './api.ts';
import { Select, TextArea, TextInput } from './fields.tsx';

type Done = (message: string) => void;

/** Adds a goal to the plan. */
export function GoalForm({ plan, onDone }: { plan: CaseView; onDone: Done }) {
  const queryClient = useQueryClient();
  const [description, setDescription] = useState('');
  const [due, setDue] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const run = useMutation({
    mutationFn: () => addGoal(plan.patient.id, { description: description.trim(), ...(due ? { due } : {}) }),
    onSuccess: async () => {
      setDescription('');
      setDue('');
      onDone('Goal added to the plan.');
      await queryClient.invalidateQueries({ queryKey: COORDINATION_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = description.trim().length < 3 ? { 'goal-description': 'Enter the goal' } : {};
    setProblems(found);
    if (!Object.keys(found).length) {
      run.mutate();
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <h3 className="nhsuk-heading-s">Add a goal</h3>
      <ErrorSummary errors={problems} id="goal-errors" focusOnShow />
      {run.error && <ErrorMessage title="The goal was not added" error={run.error} />}
      <TextInput
        id="goal-description"
        label="Goal, in the patient’s words if possible"
        error={problems['goal-description']}
        value={description}
        onChange={setDescription}
      />
      <TextInput id="goal-due" label="Target date (optional)" type="date" width="10" value={due} onChange={setDue} />
      <button type="submit" className="nhsuk-button nhsuk-button--secondary" disabled={run.isPending}>
        Add goal
      </button>
    </form>
  );
}

/** Assigns a task to a role in an organisation (optionally a named person), due on a date. */
export function TaskForm({ plan, onDone }: { plan: CaseView; onDone: Done }) {
  const queryClient = useQueryClient();
  const directory = useQuery(directoryQuery);
  const [description, setDescription] = useState('');
  const [role, setRole] = useState('');
  const [organization, setOrganization] = useState('');
  const [practitioner, setPractitioner] = useState('');
  const [due, setDue] = useState('');
  const [goal, setGoal] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const run = useMutation({
    mutationFn: () =>
      addTask(plan.patient.id, {
        description: description.trim(),
        role,
        organization,
        due,
        ...(practitioner.trim() ? { practitioner: practitioner.trim() } : {}),
        ...(goal ? { goal } : {}),
      }),
    onSuccess: async () => {
      setDescription('');
      setDue('');
      onDone('Task assigned; whoever it is assigned to can see it in their task list.');
      await queryClient.invalidateQueries({ queryKey: COORDINATION_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (description.trim().length < 3) {
      found['task-description'] = 'Enter what needs doing';
    }
    if (!role) {
      found['task-role'] = 'Choose the role';
    }
    if (!organization) {
      found['task-organization'] = 'Choose the organisation';
    }
    if (!due) {
      found['task-due'] = 'Enter the due date';
    }
    setProblems(found);
    if (!Object.keys(found).length) {
      run.mutate();
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <h3 className="nhsuk-heading-s">Assign a task</h3>
      <ErrorSummary errors={problems} id="task-errors" focusOnShow />
      {run.error && <ErrorMessage title="The task was not assigned" error={run.error} />}
      <TextArea
        id="task-description"
        label="What needs doing"
        error={problems['task-description']}
        value={description}
        onChange={setDescription}
        rows={2}
      />
      <Select
        id="task-role"
        label="Role"
        error={problems['task-role']}
        value={role}
        onChange={setRole}
        options={(directory.data?.roles ?? []).map((r) => ({ value: r.code, label: r.display }))}
      />
      <Select
        id="task-organization"
        label="Organisation"
        error={problems['task-organization']}
        value={organization}
        onChange={setOrganization}
        options={(directory.data?.organizations ?? []).map((o) => ({ value: o.id, label: o.name }))}
      />
      <TextInput
        id="task-practitioner"
        label="Named practitioner (optional)"
        hint="Their practitioner id. Leave empty to assign it to the organisation’s team."
        value={practitioner}
        onChange={setPractitioner}
        width="20"
      />
      <TextInput
        id="task-due"
        label="Due date"
        type="date"
        width="10"
        error={problems['task-due']}
        value={due}
        onChange={setDue}
      />
      {plan.goals.length > 0 && (
        <Select
          id="task-goal"
          label="For goal (optional)"
          value={goal}
          onChange={setGoal}
          placeholder="No particular goal"
          options={plan.goals.map((g) => ({ value: g.id, label: g.description }))}
        />
      )}
      <button type="submit" className="nhsuk-button" disabled={run.isPending}>
        Assign task
      </button>
    </form>
  );
}
