import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import {
  ADVICE_KEY,
  closeAdvice,
  downloadAttachment,
  PRIORITY_TEXT,
  sendMessage,
  taskId,
  threadQuery,
  type AdviceMessage,
  type AdviceThread,
  type MessageKind,
  type NewAttachment,
  type Outcome,
} from '../api.ts';
import { dueText, FilesInput, Radios, StatusTag, TextArea } from '../fields.tsx';

/**
 * One advice and guidance conversation: the patient, whose turn it is and when the answer is due,
 * the messages in order with their files, and what the reader may do now — the specialist answers,
 * asks for more or proposes a referral; the practice replies, agrees to or declines the referral, or
 * closes with the outcome. "Not found" for a conversation the reader takes no part in.
 */
export default function Conversation() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const thread = useQuery(threadQuery(id));
  const [done, setDone] = useState<string | undefined>(params.get('sent') ? 'Your question was sent.' : undefined);
  return (
    <>
      <PageTitle
        caption="Advice and guidance"
        title={thread.data?.patient.name ? `Advice and guidance: ${thread.data.patient.name}` : 'Advice and guidance'}
      >
        {thread.data?.patient.name ?? 'Advice and guidance'}
      </PageTitle>
      <p className="nhsuk-body">
        <Link to="/advice">All advice and guidance</Link>
      </p>
      {done && <Notice title={done} />}
      {thread.status === 'pending' && <Loading what="the conversation" />}
      {thread.status === 'error' && (
        <ErrorMessage
          title="The conversation could not be loaded"
          error={thread.error}
          onRetry={() => void thread.refetch()}
        />
      )}
      {thread.status === 'success' && <Body thread={thread.data} onDone={setDone} />}
    </>
  );
}

function Body({ thread, onDone }: { thread: AdviceThread; onDone: (message: string) => void }) {
  const id = taskId(thread.task);
  return (
    <>
      <dl className="nhsuk-summary-list">
        <Row
          label="NHS number"
          value={thread.patient.nhsNumber ? formatNhsNumber(thread.patient.nhsNumber) : 'Not known'}
        />
        <Row label="Asked" value={[thread.service, thread.provider].filter(Boolean).join(', ') || '—'} />
        <Row label="Priority" value={PRIORITY_TEXT[thread.priority] ?? thread.priority} />
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Status</dt>
          <dd className="nhsuk-summary-list__value">
            <StatusTag item={thread} />
          </dd>
        </div>
        <Row label="Answer due" value={thread.outcome ? `Closed: ${thread.outcome.text}` : dueText(thread)} />
        {thread.firstResponseAt && <Row label="First response" value={formatDateTime(thread.firstResponseAt)} />}
        {thread.referral && <Row label="Referral" value="A referral draft was made from this conversation" />}
      </dl>
      {thread.referral && (
        <p className="nhsuk-body">
          The referral is a draft in your practice’s referrals, with the more urgent of this request’s priority and the
          one the specialist proposed: complete its form and send it.
        </p>
      )}
      <h2 className="nhsuk-heading-m">Conversation</h2>
      <ol className="nhsuk-list cw-timeline" aria-label="Messages">
        {thread.messages.map((message) => (
          <MessageItem key={message.id} message={message} taskId={id} />
        ))}
      </ol>
      {thread.status === 'conversion-proposed' && thread.actions.includes('accept-referral') && (
        <Proposal thread={thread} onDone={onDone} />
      )}
      {thread.actions.some((a) => ['answer', 'question', 'reply', 'propose-referral'].includes(a)) && (
        <Respond thread={thread} onDone={onDone} />
      )}
      {thread.actions.includes('close') && <Close thread={thread} onDone={onDone} />}
      {thread.actions.length === 0 && thread.status !== 'closed' && (
        <p className="nhsuk-body">It is the {thread.side === 'provider' ? 'practice’s' : 'specialist’s'} turn.</p>
      )}
    </>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{value}</dd>
    </div>
  );
}

function MessageItem({ message, taskId: id }: { message: AdviceMessage; taskId: string }) {
  const [error, setError] = useState<string | undefined>();
  return (
    <li className="nhsuk-card nhsuk-u-margin-bottom-3">
      <div className="nhsuk-card__content">
        <h3 className="nhsuk-heading-xs nhsuk-u-margin-bottom-1">
          {message.kindText} · {message.side === 'provider' ? 'Specialist' : 'Practice'}
        </h3>
        <p className="nhsuk-body-s nhsuk-u-secondary-text-color nhsuk-u-margin-bottom-2">
          {[message.sender, message.sent ? formatDateTime(message.sent) : undefined].filter(Boolean).join(', ')}
        </p>
        {message.text && <p className="nhsuk-body cw-pre-wrap">{message.text}</p>}
        {message.attachments.length > 0 && (
          <ul className="nhsuk-list">
            {message.attachments.map((a) => (
              <li key={a.index}>
                <button
                  type="button"
                  className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-1"
                  onClick={() =>
                    void downloadAttachment(id, message.id, a.index, a.title ?? `file-${a.index}`).catch((e: Error) =>
                      setError(e.message),
                    )
                  }
                >
                  Download {a.title ?? 'file'}
                  {a.size !== undefined ? ` (${Math.max(1, Math.round(a.size / 1024))} KB)` : ''}
                </button>
              </li>
            ))}
          </ul>
        )}
        {error && <p className="nhsuk-error-message">{error}</p>}
      </div>
    </li>
  );
}

const RESPOND_LABELS: Partial<Record<MessageKind, { label: string; hint: string }>> = {
  answer: { label: 'Give advice', hint: 'Answers the question; the practice may reply or close it' },
  question: { label: 'Ask the practice for more information', hint: 'The practice replies' },
  'propose-referral': { label: 'Propose a referral', hint: 'The practice agrees (a referral is made) or declines' },
  reply: { label: 'Reply', hint: 'Sends your reply to the specialist' },
};

function useAct(onDone: (message: string) => void) {
  const queryClient = useQueryClient();
  return (message: string) => async () => {
    onDone(message);
    window.scrollTo(0, 0);
    await queryClient.invalidateQueries({ queryKey: ADVICE_KEY });
  };
}

function Respond({ thread, onDone }: { thread: AdviceThread; onDone: (message: string) => void }) {
  const kinds = thread.actions.filter((a): a is MessageKind => !!RESPOND_LABELS[a]);
  const [kind, setKind] = useState<string>(kinds.length === 1 ? kinds[0]! : '');
  const [text, setText] = useState('');
  const [priority, setPriority] = useState('');
  const [files, setFiles] = useState<NewAttachment[]>([]);
  const [problems, setProblems] = useState<Record<string, string | undefined>>({});
  const summary = useRef<HTMLDivElement>(null);
  const after = useAct(onDone);
  const send = useMutation({
    mutationFn: () =>
      sendMessage(taskId(thread.task), {
        kind: kind as MessageKind,
        text: text.trim(),
        ...(kind === 'propose-referral' ? { priority } : {}),
        attachments: files,
      }),
    onSuccess: async () => {
      setText('');
      setFiles([]);
      await after(
        kind === 'propose-referral' ? 'Referral proposed: the practice has been told.' : 'Your message was sent.',
      )();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = {
      [`kind-${kinds[0] ?? ''}`]: kind ? undefined : 'Choose what to do',
      message: text.trim().length >= (kind === 'propose-referral' ? 10 : 2) ? undefined : 'Write your message',
      'referral-priority-routine':
        kind === 'propose-referral' && !priority ? 'Choose the referral’s priority' : undefined,
      files: problems.files,
    };
    setProblems(found);
    if (Object.values(found).some(Boolean)) {
      summary.current?.focus();
      return;
    }
    send.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="respond-heading">
      <h2 className="nhsuk-heading-m" id="respond-heading">
        {thread.side === 'provider' ? 'Respond' : 'Reply to the specialist'}
      </h2>
      <ErrorSummary errors={problems} ref={summary} id="respond-errors" />
      {send.error && <ErrorMessage title="Your message was not sent" error={send.error} />}
      {kinds.length > 1 && (
        <Radios
          name="kind"
          legend="What do you want to do?"
          value={kind}
          onChange={setKind}
          error={problems[`kind-${kinds[0] ?? ''}`]}
          options={kinds.map((k) => ({ value: k, ...RESPOND_LABELS[k]! }))}
        />
      )}
      {kind === 'propose-referral' && (
        <Radios
          name="referral-priority"
          legend="Priority of the referral"
          value={priority}
          onChange={setPriority}
          error={problems['referral-priority-routine']}
          options={[
            { value: 'routine', label: 'Routine' },
            { value: 'urgent', label: 'Urgent' },
            { value: 'two-week-wait', label: 'Two-week wait (suspected cancer)' },
          ]}
        />
      )}
      <TextArea id="message" label="Message" rows={5} value={text} onChange={setText} error={problems.message} />
      <FilesInput
        id="files"
        files={files}
        onChange={setFiles}
        error={problems.files}
        onError={(message) => setProblems((p) => ({ ...p, files: message }))}
      />
      <button type="submit" className="nhsuk-button" disabled={send.isPending}>
        Send
      </button>
    </form>
  );
}

function Proposal({ thread, onDone }: { thread: AdviceThread; onDone: (message: string) => void }) {
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const after = useAct(onDone);
  const act = useMutation({
    mutationFn: (kind: 'accept-referral' | 'decline-referral') =>
      sendMessage(taskId(thread.task), kind === 'decline-referral' ? { kind, text: reason.trim() } : { kind }),
    onSuccess: async (_answer, kind) =>
      after(
        kind === 'accept-referral'
          ? 'Referral agreed: a referral draft was made with the proposed priority.'
          : 'Referral declined: the conversation stays as advice.',
      )(),
  });
  return (
    <div className="nhsuk-card nhsuk-card--feature" aria-labelledby="proposal-heading">
      <div className="nhsuk-card__content nhsuk-card__content--feature">
        <h2 className="nhsuk-card__heading nhsuk-card__heading--feature nhsuk-heading-m" id="proposal-heading">
          The specialist proposes a referral
        </h2>
        <p className="nhsuk-body">
          Priority: <strong>{PRIORITY_TEXT[thread.proposal?.priority ?? ''] ?? thread.proposal?.priority}</strong>
        </p>
        {thread.proposal?.text && <p className="nhsuk-body">{thread.proposal.text}</p>}
        {act.error && <ErrorMessage title="Your answer was not sent" error={act.error} />}
        {!declining ? (
          <div className="nhsuk-button-group">
            <button
              type="button"
              className="nhsuk-button"
              disabled={act.isPending}
              onClick={() => act.mutate('accept-referral')}
            >
              Agree and make the referral
            </button>
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setDeclining(true)}>
              Decline
            </button>
          </div>
        ) : (
          <form
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              if (reason.trim().length < 2) {
                setError('Say why you decline');
                return;
              }
              setError(undefined);
              act.mutate('decline-referral');
            }}
          >
            <TextArea id="decline-reason" label="Why you decline" value={reason} onChange={setReason} error={error} />
            <button type="submit" className="nhsuk-button" disabled={act.isPending}>
              Decline the referral
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

function Close({ thread, onDone }: { thread: AdviceThread; onDone: (message: string) => void }) {
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const after = useAct(onDone);
  const close = useMutation({
    mutationFn: () =>
      closeAdvice(taskId(thread.task), { outcome: outcome as Outcome, ...(note.trim() ? { note: note.trim() } : {}) }),
    onSuccess: () => after('The conversation was closed and its outcome recorded.')(),
  });
  return (
    <form
      noValidate
      aria-labelledby="close-heading"
      onSubmit={(event) => {
        event.preventDefault();
        if (!outcome) {
          setError('Choose the outcome');
          return;
        }
        setError(undefined);
        close.mutate();
      }}
    >
      <h2 className="nhsuk-heading-m" id="close-heading">
        Close the conversation
      </h2>
      {close.error && <ErrorMessage title="The conversation was not closed" error={close.error} />}
      <Radios
        name="outcome"
        legend="Outcome"
        value={outcome}
        onChange={setOutcome}
        error={error}
        options={[
          { value: 'referral-avoided', label: 'Referral avoided', hint: 'Managed in primary care with the advice' },
          { value: 'referral-made', label: 'Referral made' },
          { value: 'other', label: 'Other' },
        ]}
      />
      <TextArea id="close-note" label="Note (optional)" rows={2} value={note} onChange={setNote} />
      <button type="submit" className="nhsuk-button nhsuk-button--secondary" disabled={close.isPending}>
        Close with this outcome
      </button>
    </form>
  );
}
