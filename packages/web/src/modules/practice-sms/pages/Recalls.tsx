import { Button, Checkboxes, Radios } from 'nhsuk-react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { formatDate, formatDateTime } from '../../../lib/dates.ts';
import { formatPhone } from '../../../lib/sms.ts';
import {
  PRACTICE_SMS_KEY,
  previewRecall,
  recallsQuery,
  REVIEW_TITLES,
  sendRecall,
  type Recall,
  type RecallCandidate,
  type Review,
} from '../api.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { SectionNav } from '../Parts.tsx';

/** Build a recall from the reviews the module defines, preview who would be texted, send, history. */
export default function Recalls() {
  const history = useQuery(recallsQuery);
  const queryClient = useQueryClient();
  const [review, setReview] = useState<Review>();
  const [notReviewedRecently, setNotReviewedRecently] = useState(false);
  const [error, setError] = useState<string>();
  const summary = useRef<HTMLDivElement>(null);
  const preview = useMutation({ mutationFn: previewRecall });
  const send = useMutation({
    mutationFn: sendRecall,
    onSuccess: () => {
      preview.reset();
      return queryClient.invalidateQueries({ queryKey: PRACTICE_SMS_KEY });
    },
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setError(review ? undefined : 'Choose the review to recall patients for');
    send.reset();
    if (!review) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    preview.mutate({ review, notReviewedRecently });
  };

  const shown = preview.data;
  return (
    <>
      <ErrorSummary errors={{ review: error }} ref={summary} />
      <PageTitle caption="Practice texts">Recalls</PageTitle>
      <SectionNav current="recalls" />
      <form onSubmit={submit} noValidate>
        <Radios
          legend="Which review?"
          legendProps={{ size: 'm' }}
          hint="Registered patients with the condition in their record. You see only their names, NHS numbers and mobiles."
          name="review"
          idPrefix="review"
          id="review"
          error={error}
        >
          {(Object.keys(REVIEW_TITLES) as Review[]).map((key) => (
            <Radios.Item key={key} value={key} checked={review === key} onChange={() => setReview(key)}>
              {REVIEW_TITLES[key]}
            </Radios.Item>
          ))}
        </Radios>
        <Checkboxes name="not-reviewed" idPrefix="not-reviewed">
          <Checkboxes.Item
            value="on"
            checked={notReviewedRecently}
            onChange={(e) => setNotReviewedRecently(e.target.checked)}
            hint="Leaves out patients who had a long-term condition review at this practice for this condition in the last 12 months. They are listed below with the date."
          >
            Only patients not reviewed in the last 12 months
          </Checkboxes.Item>
        </Checkboxes>
        <Button type="submit" secondary disabled={preview.isPending}>
          Preview who would be texted
        </Button>
      </form>
      {preview.isPending && <Loading what="the patients to recall" />}
      {preview.error && <ErrorMessage error={preview.error} title="The recall could not be previewed" />}
      {shown && (
        <section aria-labelledby="preview-heading">
          <h2 className="nhsuk-heading-m" id="preview-heading">
            {shown.title}: {shown.count === 1 ? '1 patient' : `${shown.count} patients`} would be texted
          </h2>
          <p className="nhsuk-body">
            {shown.excludedCount === 1 ? '1 patient' : `${shown.excludedCount} patients`} will not be texted (reasons
            below)
            {shown.notReviewedRecently &&
              `, including ${reviewedCount(shown.candidates)} reviewed at the practice in the last 12 months`}
            . The text will read: “{shown.example}”
          </p>
          {shown.candidates.length > 0 && (
            <ResponsiveTable<RecallCandidate>
              caption="Patients found"
              captionHidden
              rows={shown.candidates}
              rowKey={(row) => row.patientId}
              columns={[
                { key: 'name', header: 'Name', rowHeader: true, cell: (row) => row.name },
                { key: 'nhs', header: 'NHS number', cell: (row) => row.nhsNumber ?? 'Not recorded' },
                { key: 'mobile', header: 'Mobile', cell: (row) => (row.mobile ? formatPhone(row.mobile) : 'None') },
                {
                  key: 'texted',
                  header: 'Texted?',
                  cell: (row) =>
                    !row.excluded
                      ? 'Yes'
                      : row.lastReviewed && row.excluded === 'reviewed in the last 12 months'
                        ? `No: reviewed ${formatDate(row.lastReviewed)}`
                        : `No: ${row.excluded}`,
                },
              ]}
            />
          )}
          <Button
            type="button"
            disabled={send.isPending || shown.count === 0}
            onClick={() => send.mutate({ review: shown.review, notReviewedRecently: shown.notReviewedRecently })}
          >
            Send the recall to {shown.count === 1 ? '1 patient' : `${shown.count} patients`}
          </Button>
        </section>
      )}
      {send.error && <ErrorMessage error={send.error} title="The recall was not sent" />}
      <div aria-live="polite">
        {send.data && (
          <Notice title="Recall sent">
            <p className="nhsuk-body">
              {REVIEW_TITLES[send.data.review]}: {send.data.sentCount} texts sent.
            </p>
          </Notice>
        )}
      </div>
      <h2 className="nhsuk-heading-m">Recalls sent</h2>
      {history.status === 'pending' && <Loading what="recalls" />}
      {history.status === 'error' && <ErrorMessage error={history.error} onRetry={() => void history.refetch()} />}
      {history.data?.recalls.length === 0 && <Empty>No recalls sent yet.</Empty>}
      {history.data && history.data.recalls.length > 0 && (
        <ResponsiveTable<Recall>
          caption="Recalls sent, newest first"
          captionHidden
          rows={history.data.recalls}
          rowKey={(row) => row.id}
          columns={[
            { key: 'review', header: 'Review', rowHeader: true, cell: (row) => REVIEW_TITLES[row.review] },
            { key: 'when', header: 'Sent', cell: (row) => formatDateTime(row.sentAt) },
            { key: 'sent', header: 'Texts sent', numeric: true, cell: (row) => row.sentCount },
            { key: 'excluded', header: 'Not texted', numeric: true, cell: (row) => row.excludedCount },
          ]}
        />
      )}
    </>
  );
}

const reviewedCount = (candidates: RecallCandidate[]): string => {
  const n = candidates.filter((c) => c.excluded === 'reviewed in the last 12 months').length;
  return n === 1 ? '1 patient' : `${n} patients`;
};
