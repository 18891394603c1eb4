import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Empty, ErrorMessage } from '../../components/feedback.tsx';
import { QueryStatus } from '../../components/QueryStatus.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { decide, suggestionsQuery, type Suggestion } from './api.ts';
import { sectionTitle } from './profile.ts';

const STATUS: Record<Suggestion['status'], string> = {
  waiting: 'Waiting for a decision',
  accepted: 'Accepted',
  declined: 'Declined',
};

/** One suggestion's words, section, date and state. */
export function SuggestionSummary({ suggestion }: { suggestion: Suggestion }) {
  return (
    <>
      <p className="nhsuk-body nhsuk-u-margin-bottom-1">
        <strong>{sectionTitle(suggestion.section)}</strong>: “{suggestion.text}”
      </p>
      <p className="nhsuk-body-s nhsuk-u-margin-bottom-1">
        Suggested {formatDateTime(suggestion.suggestedAt)} · <strong>{STATUS[suggestion.status]}</strong>
        {suggestion.note ? ` – ${suggestion.note}` : ''}
      </p>
    </>
  );
}

/** The patient's suggested corrections, for the practice to accept or decline. */
export function Suggestions({ patientId }: { patientId: string }) {
  const queryClient = useQueryClient();
  const suggestions = useQuery(suggestionsQuery(patientId));
  const decision = useMutation({
    mutationFn: ({ id, accept }: { id: string; accept: boolean }) => decide(id, accept),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['care-profile', patientId] }),
  });
  return (
    <section className="cw-no-print" aria-labelledby="cw-suggestions-heading">
      <h2 className="nhsuk-heading-m" id="cw-suggestions-heading">
        Corrections suggested by the patient
      </h2>
      {decision.isError && <ErrorMessage title="The decision was not recorded" error={decision.error} />}
      {suggestions.status !== 'success' ? (
        <QueryStatus query={suggestions} what="suggested corrections" errorTitle="Suggestions could not be loaded" />
      ) : suggestions.data.length === 0 ? (
        <Empty>The patient has not suggested any corrections.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {suggestions.data.map((s) => (
            <li key={s.id} className="nhsuk-card nhsuk-u-padding-3 nhsuk-u-margin-bottom-3">
              <SuggestionSummary suggestion={s} />
              {s.status === 'waiting' && (
                <div className="nhsuk-button-group nhsuk-u-margin-bottom-0">
                  <button
                    type="button"
                    className="nhsuk-button nhsuk-u-margin-bottom-0"
                    disabled={decision.isPending}
                    onClick={() => decision.mutate({ id: s.id, accept: true })}
                  >
                    Accept<span className="nhsuk-u-visually-hidden"> the suggestion “{s.text}”</span>
                  </button>
                  <button
                    type="button"
                    className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
                    disabled={decision.isPending}
                    onClick={() => decision.mutate({ id: s.id, accept: false })}
                  >
                    Decline<span className="nhsuk-u-visually-hidden"> the suggestion “{s.text}”</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
