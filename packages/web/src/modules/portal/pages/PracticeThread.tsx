import type { Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { fhirGet } from '../../../api/client.ts';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { TextArea } from '../../../components/fields.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { displayName, refId } from '../../../lib/fhir-display.ts';
import { loadConversation, MAX_MESSAGE, replyToPatient, topicOf } from '../messages/api.ts';
import { ConversationView } from '../messages/Conversation.tsx';

async function load(id: string) {
  const conversation = await loadConversation(id);
  const patientId = refId(conversation.root.subject, 'Patient');
  const patient = patientId ? await fhirGet<Patient>(`Patient/${encodeURIComponent(patientId)}`) : undefined;
  return { conversation, patient };
}

/** A patient's conversation with the practice, as the practice sees it, and the practice's reply. */
export default function PracticeThread() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const key = ['practice-thread', id];
  const data = useQuery({ queryKey: key, queryFn: () => load(id) });
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const replying = useMutation({
    mutationFn: () => replyToPatient(id, text.trim()),
    onSuccess: async () => {
      setText('');
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: key }),
        queryClient.invalidateQueries({ queryKey: ['practice-inbox'] }),
      ]);
    },
  });
  const send = (event: FormEvent): void => {
    event.preventDefault();
    const found = !text.trim() ? 'Enter your reply' : text.length > MAX_MESSAGE ? 'The reply is too long' : undefined;
    setProblem(found);
    if (!found) {
      replying.mutate();
    }
  };
  if (data.status !== 'success') {
    return (
      <>
        <PageTitle>Message from a patient</PageTitle>
        <QueryStatus query={data} what="the conversation" errorTitle="The conversation could not be loaded" />
      </>
    );
  }
  const { conversation, patient } = data.data;
  const name = patient ? displayName(patient.name) : 'The patient';
  return (
    <>
      <PageTitle caption={name}>{topicOf(conversation.root)}</PageTitle>
      {patient && (
        <p className="nhsuk-body">
          <Link to={`/patients/${encodeURIComponent(patient.id!)}`}>Open {name}’s record</Link>
        </p>
      )}
      {replying.isSuccess && <Notice title={`Reply sent. ${name} has been told in their inbox.`} />}
      <ConversationView
        messages={conversation.messages}
        from={(m) =>
          m.sender?.reference?.startsWith('Practitioner/')
            ? `The practice${m.sender.display ? ` (${m.sender.display})` : ''}`
            : m.sender?.reference?.startsWith('RelatedPerson/')
              ? `Carer for ${name}`
              : name
        }
      />
      <form onSubmit={send} noValidate aria-label="Reply to the patient">
        {replying.error && <ErrorMessage error={replying.error} title="The reply was not sent" />}
        <TextArea id="reply" label="Reply" value={text} error={problem} onChange={setText} rows={5} />
        <Button type="submit" disabled={replying.isPending}>
          Send reply
        </Button>
      </form>
      <p className="nhsuk-body">
        <Link to="/practice/messages">All messages from patients</Link>
      </p>
    </>
  );
}
