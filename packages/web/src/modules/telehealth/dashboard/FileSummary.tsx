import { useMutation } from '@tanstack/react-query';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { fileSummary } from './api.ts';

/**
 * "File summary in the record": `CarePlan/$telehealth-summary` builds the last 30 days' summary and
 * files it in the patient's record as a Composition authored by the signed-in person.
 */
export function FileSummary({ carePlan, protocol }: { carePlan: string; protocol: string }) {
  const filing = useMutation({ mutationFn: () => fileSummary(carePlan, 30) });
  return (
    <>
      {filing.isSuccess && (
        <Notice title="Summary filed in the record">
          <p className="nhsuk-body nhsuk-u-margin-bottom-0">{filing.data.title}</p>
        </Notice>
      )}
      {filing.error && <ErrorMessage title="The summary could not be filed" error={filing.error} />}
      <button
        type="button"
        className="nhsuk-button nhsuk-u-margin-bottom-2"
        disabled={filing.isPending || filing.isSuccess}
        onClick={() => filing.mutate()}
      >
        File summary in the record
        <span className="nhsuk-u-visually-hidden"> ({protocol}, last 30 days)</span>
      </button>
    </>
  );
}
