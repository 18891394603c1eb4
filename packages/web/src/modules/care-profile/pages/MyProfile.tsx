import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../../api/errors.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { mySuggestionsQuery, patientQuery, profileQuery, suggest } from '../api.ts';
import { SECTION_CHOICES } from '../profile.ts';
import { PrintButton, ProfileDocument } from '../ProfileDocument.tsx';
import { SuggestionSummary } from '../Suggestions.tsx';

/** `/my/care-profile`: the patient's own profile, and their suggested corrections to it. */
export default function MyProfile({ patientId }: { patientId: string }) {
  const session = useSession();
  const profile = useQuery(profileQuery(patientId));
  const patient = useQuery(patientQuery(patientId));
  if (profile.status === 'pending') {
    return <Loading what="your care profile" />;
  }
  if (profile.status === 'error') {
    return (
      <>
        <PageTitle>Your care profile</PageTitle>
        {profile.error instanceof ApiError && profile.error.status === 404 ? (
          <p className="nhsuk-body">
            There is no care profile for you yet. Your GP practice makes one for people who need care from several
            services; ask them if you would like one.
          </p>
        ) : (
          <ErrorMessage title="Your care profile could not be loaded" error={profile.error} />
        )}
      </>
    );
  }
  return (
    <>
      <PageTitle>Your care profile</PageTitle>
      <p className="nhsuk-body cw-no-print">
        This is what the people caring for you — your GP practice, community nurses, social care and the ambulance
        service — see about you when they need to. If something is wrong or missing, tell your practice below.
      </p>
      <PrintButton />
      <ProfileDocument profile={profile.data} patient={patient.data} />
      {session?.kind === 'patient' && <SuggestCorrection />}
    </>
  );
}

/** The patient's form and their earlier suggestions with the practice's decisions. */
function SuggestCorrection() {
  const queryClient = useQueryClient();
  const mine = useQuery(mySuggestionsQuery());
  const [section, setSection] = useState('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const send = useMutation({
    mutationFn: () => suggest({ ...(section ? { section } : {}), text: text.trim() }),
    onSuccess: () => {
      setText('');
      setSection('');
      void queryClient.invalidateQueries({ queryKey: mySuggestionsQuery().queryKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = text.trim() ? undefined : 'Enter what is wrong or missing';
    setProblem(found);
    if (!found) {
      send.mutate();
    }
  };
  return (
    <div className="cw-no-print">
      <form onSubmit={submit} noValidate aria-labelledby="cw-suggest-heading">
        <h2 className="nhsuk-heading-m" id="cw-suggest-heading">
          Suggest a correction
        </h2>
        {send.isError && <ErrorMessage title="Your suggestion was not sent" error={send.error} />}
        {send.isSuccess && (
          <p className="nhsuk-body" role="status">
            Sent to your GP practice. They will accept or decline it, and you will see their answer here.
          </p>
        )}
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="cw-suggest-section">
            Which part is it about?
          </label>
          <select
            className="nhsuk-select"
            id="cw-suggest-section"
            value={section}
            onChange={(e) => setSection(e.target.value)}
          >
            <option value="">The whole profile</option>
            {SECTION_CHOICES.map((s) => (
              <option key={s.key} value={s.key}>
                {s.title}
              </option>
            ))}
          </select>
        </div>
        <div className={`nhsuk-form-group${problem ? ' nhsuk-form-group--error' : ''}`}>
          <label className="nhsuk-label" htmlFor="cw-suggest-text">
            What is wrong or missing?
          </label>
          {problem && (
            <span className="nhsuk-error-message" id="cw-suggest-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {problem}
            </span>
          )}
          <textarea
            className={`nhsuk-textarea${problem ? ' nhsuk-textarea--error' : ''}`}
            id="cw-suggest-text"
            rows={4}
            value={text}
            aria-describedby={problem ? 'cw-suggest-error' : undefined}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <button type="submit" className="nhsuk-button" disabled={send.isPending}>
          Send to my practice
        </button>
      </form>
      <h2 className="nhsuk-heading-m">Your suggestions</h2>
      {mine.status === 'pending' ? (
        <Loading what="your suggestions" />
      ) : mine.status === 'error' ? (
        <ErrorMessage title="Your suggestions could not be loaded" error={mine.error} />
      ) : mine.data.length === 0 ? (
        <Empty>You have not suggested any corrections.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {mine.data.map((s) => (
            <li key={s.id} className="nhsuk-card nhsuk-u-padding-3 nhsuk-u-margin-bottom-3">
              <SuggestionSummary suggestion={s} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
