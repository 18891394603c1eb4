import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../../api/errors.ts';
import { ErrorSummary, type FormProblems } from '../../../components/ErrorSummary.tsx';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { TextArea, TextInput } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { loadPatientMessages, MAX_MESSAGE, repliedLast, sendToPractice, topicOf } from '../messages/api.ts';
import { NotForEmergencies } from '../messages/Conversation.tsx';
import { usePortalVoice } from '../voice.ts';

/**
 * Messages with the GP practice: the conversations (newest first, "Replied" when the practice wrote
 * last) and a new non-urgent message, under a notice that it is not for emergencies (H-270).
 */
export default function Messages({ patientId }: { patientId: string }) {
  const voice = usePortalVoice();
  const queryClient = useQueryClient();
  const key = ['practice-messages', patientId];
  const list = useQuery({ queryKey: key, queryFn: () => loadPatientMessages(patientId) });
  const [topic, setTopic] = useState('');
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<FormProblems>({});
  const summary = useRef<HTMLDivElement>(null);
  const sending = useMutation({
    mutationFn: () => sendToPractice(patientId, { text: text.trim(), topic: topic.trim() || undefined }),
    onSuccess: async () => {
      setText('');
      setTopic('');
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  // A carer whose permission does not cover messages cannot see them (the server refuses either way).
  const refused = list.error instanceof ApiError && list.error.status === 403;

  const send = (event: FormEvent): void => {
    event.preventDefault();
    const found: FormProblems = {
      message: !text.trim()
        ? 'Enter your message'
        : text.length > MAX_MESSAGE
          ? `The message must be ${MAX_MESSAGE} characters or fewer`
          : undefined,
    };
    setProblems(found);
    if (found.message) {
      summary.current?.focus();
      return;
    }
    sending.mutate();
  };

  return (
    <>
      <ErrorSummary errors={problems} ref={summary} />
      <PageTitle caption={voice.caption}>Messages with the GP practice</PageTitle>
      <NotForEmergencies you={voice.you} />
      {sending.isSuccess && (
        <Notice title="Message sent">
          <p className="nhsuk-body">The practice will reply within 2 working days.</p>
        </Notice>
      )}
      <h2 className="nhsuk-heading-m">Conversations</h2>
      {list.status === 'success' ? (
        list.data.length === 0 ? (
          <Empty>No messages yet.</Empty>
        ) : (
          <ul className="nhsuk-list nhsuk-list--border">
            {list.data.map((conversation) => {
              const last = conversation.messages[conversation.messages.length - 1]!;
              return (
                <li key={conversation.root.id}>
                  <Link to={`/my/messages/${conversation.root.id}`}>{topicOf(conversation.root)}</Link>{' '}
                  {repliedLast(conversation) ? (
                    <strong className="nhsuk-tag nhsuk-tag--green cw-tag-s">Replied</strong>
                  ) : (
                    <strong className="nhsuk-tag nhsuk-tag--grey cw-tag-s">Waiting for the practice</strong>
                  )}
                  <br />
                  <span className="nhsuk-body-s cw-muted">
                    {conversation.messages.length} {conversation.messages.length === 1 ? 'message' : 'messages'}, last
                    on {formatDate(last.sent)}
                  </span>
                </li>
              );
            })}
          </ul>
        )
      ) : refused ? (
        <Empty>{voice.actingFor ?? 'The patient'} has not let you see or send messages with their GP practice.</Empty>
      ) : (
        <QueryStatus query={list} what="messages" />
      )}
      {!refused && (
        <form onSubmit={send} noValidate aria-labelledby="new-message">
          <h2 className="nhsuk-heading-m" id="new-message">
            Send a new message
          </h2>
          {sending.error && <ErrorMessage error={sending.error} title="The message was not sent" />}
          <TextInput id="topic" label="Subject (optional)" value={topic} onChange={setTopic} width="30" />
          <TextArea
            id="message"
            label="Your message"
            hint={`For example, a question about a medicine or a test. At most ${MAX_MESSAGE} characters.`}
            value={text}
            error={problems.message}
            onChange={setText}
            rows={6}
          />
          <Button type="submit" disabled={sending.isPending}>
            Send message
          </Button>
        </form>
      )}
    </>
  );
}
