import { useMutation, useQueryClient } from '@tanstack/react-query';
import { addToCaseList, caseListQuery, idOf } from './api.ts';

/**
 * "Add to case list" for one row. Once added (or when already there) it says so instead, with a link
 * to the case list; a refusal (the server checks the relationship again) is said in the row.
 */
export function CaseListButton({ patient, name, onList }: { patient: string; name: string; onList: boolean }) {
  const client = useQueryClient();
  const add = useMutation({
    mutationFn: () => addToCaseList(idOf(patient)),
    onSuccess: (result) => client.setQueryData(caseListQuery.queryKey, result),
  });
  if (onList || add.isSuccess) {
    return (
      <span className="nhsuk-body-s" role="status">
        On <a href="/population-health/case-list">your case list</a>
      </span>
    );
  }
  return (
    <>
      <button
        type="button"
        className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
        disabled={add.isPending}
        onClick={() => add.mutate()}
      >
        {/* Said as "Add Jane Smith to case list": the row's name, hidden from sight, not the visible words. */}
        Add<span className="nhsuk-u-visually-hidden"> {name}</span> to case list
      </button>
      {add.error && (
        <span className="nhsuk-error-message nhsuk-u-display-block" role="alert">
          <span className="nhsuk-u-visually-hidden">Error:</span> {add.error.message}
        </span>
      )}
    </>
  );
}
