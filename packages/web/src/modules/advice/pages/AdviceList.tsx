import { useQuery } from '@tanstack/react-query';
import type { MouseEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import { listQuery, PRIORITY_TEXT, taskId, type AdviceSummary, type Side } from '../api.ts';
import { dueText, StatusTag } from '../fields.tsx';

/**
 * The organisation's advice and guidance conversations: a practice's questions, or a provider's to
 * answer — overdue first, then by when the answer is due (H-230). Closed ones on request.
 */
export default function AdviceList() {
  const [params, setParams] = useSearchParams();
  const asked = params.get('side');
  const open = params.get('closed') !== 'true';
  const list = useQuery(listQuery(asked === 'provider' || asked === 'requester' ? asked : undefined, open));
  const side: Side | undefined = list.data?.side;
  const go = (next: { side?: Side; closed?: boolean }) => (event: MouseEvent) => {
    event.preventDefault();
    const closed = next.closed ?? !open;
    setParams({
      ...((next.side ?? side) ? { side: (next.side ?? side)! } : {}),
      ...(closed ? { closed: 'true' } : {}),
    });
  };
  return (
    <>
      <PageTitle caption="Electronic referrals">Advice and guidance</PageTitle>
      <p className="nhsuk-body">
        A practice asks a specialist service a question about a patient; the specialist answers, asks for more, or
        proposes a referral, which the practice agrees to or not.
      </p>
      <Link className="nhsuk-button" to="/advice/new">
        Ask for advice
      </Link>
      <ul className="nhsuk-list nhsuk-u-margin-bottom-4" aria-label="Which conversations">
        <li className="nhsuk-u-display-inline-block nhsuk-u-margin-right-4">
          {side === 'requester' ? (
            <strong aria-current="page">Asked by us</strong>
          ) : (
            <a href="?side=requester" onClick={go({ side: 'requester' })}>
              Asked by us
            </a>
          )}
        </li>
        <li className="nhsuk-u-display-inline-block nhsuk-u-margin-right-4">
          {side === 'provider' ? (
            <strong aria-current="page">For us to answer</strong>
          ) : (
            <a href="?side=provider" onClick={go({ side: 'provider' })}>
              For us to answer
            </a>
          )}
        </li>
        <li className="nhsuk-u-display-inline-block">
          <a href={open ? '?closed=true' : '?'} onClick={go({ closed: open })}>
            {open ? 'Show closed ones too' : 'Show open ones only'}
          </a>
        </li>
      </ul>
      {list.status === 'pending' && <Loading what="advice and guidance requests" />}
      {list.status === 'error' && (
        <ErrorMessage
          title="Advice and guidance could not be loaded"
          error={list.error}
          onRetry={() => void list.refetch()}
        />
      )}
      {list.status === 'success' &&
        (list.data.items.length === 0 ? (
          <Empty>There are no {open ? 'open ' : ''}advice and guidance requests.</Empty>
        ) : (
          <ResponsiveTable
            caption={
              list.data.side === 'requester' ? 'Questions asked by your practice' : 'Questions for your services'
            }
            columns={columns(list.data.side)}
            rows={list.data.items}
            rowKey={(item) => item.task}
          />
        ))}
    </>
  );
}

function columns(side: Side): Column<AdviceSummary>[] {
  return [
    {
      key: 'patient',
      header: 'Patient',
      rowHeader: true,
      cell: (item) => (
        <>
          <Link to={`/advice/${taskId(item.task)}`}>{item.patient.name ?? 'Patient'}</Link>
          {item.patient.nhsNumber && (
            <span className="nhsuk-body-s nhsuk-u-display-block cw-nhs-number">
              {formatNhsNumber(item.patient.nhsNumber)}
            </span>
          )}
        </>
      ),
    },
    {
      key: 'service',
      header: side === 'requester' ? 'Asked' : 'Service',
      cell: (item) =>
        [item.service, side === 'requester' ? item.provider : undefined].filter(Boolean).join(', ') || '—',
    },
    { key: 'priority', header: 'Priority', cell: (item) => PRIORITY_TEXT[item.priority] ?? item.priority },
    { key: 'asked', header: 'Asked on', cell: (item) => formatDate(item.requestedAt) },
    { key: 'status', header: 'Status', cell: (item) => <StatusTag item={item} /> },
    { key: 'due', header: 'Answer due', cell: (item) => (item.outcome ? item.outcome.text : dueText(item)) },
  ];
}
