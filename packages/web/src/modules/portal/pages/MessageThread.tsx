import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { TextArea } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { fromText, loadConversation, MAX_MESSAGE, sendToPractice, topicOf } from '../messages/api.ts';
import { ConversationView, NotForEmergencies } from '../messages/Conversation.tsx';
import { usePortalVoice } from '../voice.ts';

/** One conversation with the GP practice, and a follow-up message in it. */
export default function MessageThread({ patientId }: { patientId: string }) {
  const { id = '' } = useParams();
  const voice = usePortalVoice();
  const queryClient = useQueryClient();
  const key = ['practice-conversation', id];
  const conversation = useQuery({ queryKey: key, queryFn: () => loadConversation(id) });
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const sending = useMutation({
    mutationFn: () => sendToPractice(patientId, { text: text.trim(), thread: id }),
    onSuccess: async () => {
      setText('');
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: key }),
        queryClient.invalidateQueries({ queryKey: ['practice-messages', patientId] }),
      ]);
    },
  });
  const send = (event: FormEvent): void => {
    event.preventDefault();
    const found = !text.trim()
      ? 'Enter your message'
      : text.length > MAX_MESSAGE
        ? 'The message is too long'
        : undefined;
    setProblem(found);
    if (!found) {
      sending.mutate();
    }
  };
  if (conversation.status !== 'success') {
    return (
      <>
        <PageTitle caption={voice.caption}>Message</PageTitle>
        <QueryStatus query={conversation} what="the conversation" errorTitle="The conversation could not be loaded" />
      </>
    );
  }
  return (
    <>
      <PageTitle caption={voice.caption}>{topicOf(conversation.data.root)}</PageTitle>
      {sending.isSuccess && <Notice title="Message sent" />}
      <ConversationView
        messages={conversation.data.messages}
        from={(m) => fromText(m, patientId, 'Your GP practice')}
      />
      <NotForEmergencies you={voice.you} />
      <form onSubmit={send} noValidate aria-label="Reply to the practice">
        {sending.error && <ErrorMessage error={sending.error} title="The message was not sent" />}
        <TextArea id="message" label="Reply" value={text} error={problem} onChange={setText} rows={4} />
        <Button type="submit" disabled={sending.isPending}>
          Send message
        </Button>
      </form>
      <p className="nhsuk-body">
        <Link to="/my/messages">All messages</Link>
      </p>
    </>
  );
}
