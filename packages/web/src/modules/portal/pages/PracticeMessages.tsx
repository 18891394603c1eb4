import type { Patient } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { searchAll } from '../../../api/client.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { displayName, refId } from '../../../lib/fhir-display.ts';
import { loadPracticeMessages, repliedLast, topicOf } from '../messages/api.ts';

/** Conversations and the names of the patients they are with (one search for the names). */
async function loadInbox(practiceId: string) {
  const list = await loadPracticeMessages(practiceId);
  const ids = [...new Set(list.flatMap((c) => refId(c.root.subject, 'Patient') ?? []))];
  const patients = ids.length
    ? (await searchAll<Patient>('Patient', { _id: ids.join(','), _count: String(ids.length) }, { maxPages: 1 }))
        .resources
    : [];
  const names = new Map(patients.map((p) => [p.id!, displayName(p.name)]));
  return list.map((conversation) => ({
    conversation,
    patient: names.get(refId(conversation.root.subject, 'Patient') ?? '') ?? 'A patient',
  }));
}

/** The practice's messages from patients: waiting ones first, then the rest, newest activity first. */
export default function PracticeMessages() {
  const session = useSession();
  const practiceId = session?.kind === 'staff' ? session.organizationId : undefined;
  const inbox = useQuery({
    queryKey: ['practice-inbox', practiceId],
    queryFn: () => loadInbox(practiceId!),
    enabled: Boolean(practiceId),
  });
  if (!practiceId) {
    return (
      <>
        <PageTitle>Messages from patients</PageTitle>
        <Empty>Your role is not at a GP practice.</Empty>
      </>
    );
  }
  if (inbox.status !== 'success') {
    return (
      <>
        <PageTitle>Messages from patients</PageTitle>
        <QueryStatus query={inbox} what="messages" errorTitle="Messages could not be loaded" />
      </>
    );
  }
  const waiting = inbox.data.filter((i) => !repliedLast(i.conversation));
  const answered = inbox.data.filter((i) => repliedLast(i.conversation));
  const list = (items: typeof inbox.data) => (
    <ul className="nhsuk-list nhsuk-list--border">
      {items.map(({ conversation, patient }) => {
        const last = conversation.messages[conversation.messages.length - 1]!;
        return (
          <li key={conversation.root.id}>
            <Link to={`/practice/messages/${conversation.root.id}`}>
              {patient}: {topicOf(conversation.root)}
            </Link>
            <br />
            <span className="nhsuk-body-s cw-muted">Last message {formatDateTime(last.sent)}</span>
          </li>
        );
      })}
    </ul>
  );
  return (
    <>
      <PageTitle>Messages from patients</PageTitle>
      <p className="nhsuk-body">Non-urgent messages; patients are told the practice replies within 2 working days.</p>
      <h2 className="nhsuk-heading-m">Waiting for a reply ({waiting.length})</h2>
      {waiting.length ? list(waiting) : <Empty>No messages are waiting.</Empty>}
      <h2 className="nhsuk-heading-m">Replied ({answered.length})</h2>
      {answered.length ? list(answered) : <Empty>None yet.</Empty>}
    </>
  );
}
