import { useMutation, useQueryClient } from '@tanstack/react-query';
import { addToCaseList, caseListQuery, idOf, type CaseListEntry } from './api.ts';

/** What the row says once the person is on the caller's case list (docs/COORDINATION.md, "From the risk list"). */
const SAID: Record<CaseListEntry['status'], string> = {
  caseload: 'On your caseload',
  referred: 'Referred to care coordination',
  allocated: 'Referred: a coordinator has the case',
};

/**
 * "Add to case list" for one row: staff of the single point of access take the patient onto their
 * caseload; anyone else refers them to it with the risk score as the reason (the server decides). Once
 * added (or when already there) the row says which, with a link to the case list; a refusal — the
 * server checks the relationship again, and a patient who already has a coordinator is not taken
 * from them — is said in the row.
 */
export function CaseListButton({ patient, name, onList }: { patient: string; name: string; onList?: CaseListEntry }) {
  const client = useQueryClient();
  const add = useMutation({
    mutationFn: () => addToCaseList(idOf(patient)),
    onSuccess: (result) => client.setQueryData(caseListQuery.queryKey, { entries: result.entries }),
  });
  const status = onList?.status ?? (add.data ? (add.data.outcome === 'caseload' ? 'caseload' : 'referred') : undefined);
  if (status) {
    return (
      <span className="nhsuk-body-s" role="status">
        {SAID[status]}: <a href="/population-health/case-list">your case list</a>
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
