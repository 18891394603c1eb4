import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../../components/feedback.tsx';
import { completeTask, COORDINATION_KEY, type PlanTask } from './api.ts';
import { TextArea } from './fields.tsx';

/** "Mark as done" on a care-plan task, with an optional note; `onDone` gets a sentence for the banner. */
export function CompleteTask({ task, onDone }: { task: PlanTask; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const run = useMutation({
    mutationFn: () => completeTask(task.id, note.trim()),
    onSuccess: async () => {
      setOpen(false);
      onDone(`“${task.description}” marked as done.`);
      await queryClient.invalidateQueries({ queryKey: COORDINATION_KEY });
    },
  });
  if (!open) {
    return (
      <button
        type="button"
        className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
        onClick={() => setOpen(true)}
      >
        Mark as done<span className="nhsuk-u-visually-hidden">: {task.description}</span>
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      {run.error && <ErrorMessage title="The task was not updated" error={run.error} />}
      <TextArea id={`note-${task.id}`} label="What was done (optional)" value={note} onChange={setNote} rows={2} />
      <div className="nhsuk-button-group">
        <button
          type="submit"
          className="nhsuk-button nhsuk-button--small nhsuk-u-margin-bottom-0"
          disabled={run.isPending}
        >
          Confirm done<span className="nhsuk-u-visually-hidden">: {task.description}</span>
        </button>
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
          onClick={() => setOpen(false)}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
