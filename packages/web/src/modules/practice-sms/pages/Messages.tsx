import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { formatPhone } from '../../../lib/sms.ts';
import { conversationsQuery, type ConversationSummary } from '../api.ts';
import { describeKind } from '../kinds.ts';
import { SectionNav } from '../Parts.tsx';

/** The practice's text conversations, latest first: who, the last message, and a link to the thread. */
export default function Messages() {
  const conversations = useQuery(conversationsQuery);
  const rows = conversations.data?.conversations ?? [];
  return (
    <>
      <PageTitle caption="Practice texts">Messages</PageTitle>
      <SectionNav current="messages" />
      <p className="nhsuk-body">
        Texts from patients that are for the practice: replies to reminders, recalls and your messages, and texts from
        registered patients’ mobiles. Each is also kept in the patient’s record when the number is one patient’s.
      </p>
      {conversations.status === 'pending' && <Loading what="conversations" />}
      {conversations.status === 'error' && (
        <ErrorMessage error={conversations.error} onRetry={() => void conversations.refetch()} />
      )}
      {conversations.status === 'success' && rows.length === 0 && <Empty>No text conversations yet.</Empty>}
      {rows.length > 0 && (
        <ResponsiveTable<ConversationSummary>
          caption="Conversations, latest first"
          rows={rows}
          rowKey={(row) => row.phone}
          columns={[
            {
              key: 'who',
              header: 'Patient',
              rowHeader: true,
              cell: (row) => (
                <Link to={`/practice-sms/conversations/${encodeURIComponent(row.phone)}`}>
                  {row.patientName ?? 'Not matched to one patient'}
                  <span className="nhsuk-u-visually-hidden"> ({formatPhone(row.phone)})</span>
                </Link>
              ),
            },
            { key: 'phone', header: 'Mobile', cell: (row) => formatPhone(row.phone) },
            {
              key: 'last',
              header: 'Last message',
              cell: (row) => (
                <>
                  <strong className="nhsuk-tag nhsuk-tag--grey">
                    {row.lastMessage.direction === 'in' ? 'From patient' : describeKind(row.lastMessage.kind)}
                  </strong>{' '}
                  {row.lastMessage.body}
                </>
              ),
            },
            { key: 'when', header: 'When', cell: (row) => formatDateTime(row.lastMessage.at) },
          ]}
        />
      )}
    </>
  );
}
