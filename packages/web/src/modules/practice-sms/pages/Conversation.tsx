import { Button, Textarea } from 'nhsuk-react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { formatPhone } from '../../../lib/sms.ts';
import { PRACTICE_SMS_KEY, reply, threadQuery } from '../api.ts';
import { describeKind } from '../kinds.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';

const MAX = 612;

/** One conversation, oldest first, and the practice's reply. */
export default function Conversation() {
  const { phone = '' } = useParams();
  const thread = useQuery(threadQuery(phone));
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState<{ optedOut: boolean }>();
  const summary = useRef<HTMLDivElement>(null);
  const sending = useMutation({
    mutationFn: (body: string) => reply(phone, body),
    onSuccess: (answer) => {
      setSent(answer);
      setText('');
      return queryClient.invalidateQueries({ queryKey: PRACTICE_SMS_KEY });
    },
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problem = !text.trim()
      ? 'Enter your reply'
      : text.length > MAX
        ? `Your reply must be ${MAX} characters or fewer`
        : undefined;
    setError(problem);
    setSent(undefined);
    if (problem) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    sending.mutate(text.trim());
  };

  const who = thread.data?.patientName ?? 'Not matched to one patient';
  return (
    <>
      <p className="nhsuk-body-s">
        <Link to="/practice-sms">Back to messages</Link>
      </p>
      <ErrorSummary errors={{ reply: error }} ref={summary} />
      <PageTitle caption="Practice texts" title={`Conversation with ${formatPhone(phone)}`}>
        {thread.data ? `${who}, ${formatPhone(phone)}` : formatPhone(phone)}
      </PageTitle>
      {thread.status === 'pending' && <Loading what="the conversation" />}
      {thread.status === 'error' && <ErrorMessage error={thread.error} onRetry={() => void thread.refetch()} />}
      {thread.data && (
        <ul className="nhsuk-list cw-sms">
          {thread.data.messages.map((m) => (
            <li key={m.id} className={`nhsuk-card cw-sms__message cw-sms__message--${m.direction}`}>
              <div className="nhsuk-card__content">
                <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
                  <strong className={`nhsuk-tag ${m.direction === 'in' ? 'nhsuk-tag--grey' : 'nhsuk-tag--blue'}`}>
                    {m.direction === 'in' ? 'From the patient' : describeKind(m.kind)}
                  </strong>{' '}
                  {formatDateTime(m.at)}
                </p>
                <p className="nhsuk-body nhsuk-u-margin-bottom-0 cw-sms__body">{m.body}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
      {thread.data && (
        <form onSubmit={submit} noValidate aria-labelledby="reply-heading">
          <h2 className="nhsuk-heading-m" id="reply-heading">
            Reply by text
          </h2>
          <Textarea
            id="reply"
            name="reply"
            label="Your reply"
            hint="Sent from the practice. Do not include clinical details unless the patient has agreed to them by text."
            rows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
            error={error}
          />
          <Button type="submit" disabled={sending.isPending}>
            Send reply
          </Button>
        </form>
      )}
      {sending.error && <ErrorMessage error={sending.error} title="Your reply was not sent" />}
      <div aria-live="polite">
        {sent && (
          <Notice title="Reply sent" kind={sent.optedOut ? 'info' : 'success'}>
            <p className="nhsuk-body">
              {sent.optedOut ? 'This number texted STOP, so the reply was not sent.' : 'Your reply has been sent.'}
            </p>
          </Notice>
        )}
      </div>
    </>
  );
}
