import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { useSession } from '../../../auth/session.ts';
import { formatDate } from '../../../lib/dates.ts';
import { recordQuery, referralQuery, type ReferralView } from '../api.ts';
import { PriorityTag, ReferralsNav } from '../fields.tsx';
import { ReferralActions, type Done } from '../ReferralActions.tsx';
import { ReferralRecordSections } from '../ReferralRecordSections.tsx';
import { reasonName, specialtyName, statusName } from '../vocabulary.ts';

/**
 * One referral as the caller may see it (hidden and absent look the same: "could not be found"): its
 * status, the form's answers, the pathway followed, the Task's history, appointments and letters, and
 * the actions its status allows (the server decides who may take them and says so).
 */
export default function Referral() {
  const { id = '' } = useParams();
  const referral = useQuery({ ...referralQuery(id), retry: false });
  const [done, setDone] = useState<{ title: string; letter?: string } | undefined>();
  if (done?.letter !== undefined) {
    // Rejected or returned: the provider's relationship has ended, so the referral is no longer theirs to read.
    return (
      <>
        <PageTitle caption="Referrals">{done.title}</PageTitle>
        <p className="nhsuk-body">The referrer has it on their rejected or returned list. The patient is sent:</p>
        <div className="nhsuk-inset-text cw-letter">{done.letter}</div>
        <ReferralsNav />
      </>
    );
  }
  const view = referral.data;
  return (
    <>
      <ReferralsNav />
      <PageTitle caption="Referrals" title={view?.ubrn ? `Referral ${view.ubrn}` : 'Referral'}>
        {view?.ubrn ? `Referral ${view.ubrn}` : 'Referral'}
      </PageTitle>
      {done && <Notice title={done.title} />}
      <QueryStatus query={referral} what="the referral" errorTitle="The referral could not be found" />
      {view && <Summary view={view} id={id} />}
      {view && <RecordPart view={view} id={id} onDone={setDone} />}
    </>
  );
}

function Summary({ view, id }: { view: ReferralView; id: string }) {
  const rows: [string, ReactNode][] = [
    ['Status', view.status === 'draft' ? 'Draft (not sent)' : statusName(view.businessStatus ?? view.status)],
    ['Specialty', specialtyName(view.specialty)],
    ['Priority', <PriorityTag key="p" priority={view.priority} />],
    ...(view.service
      ? [
          ['Service', `${view.service.name ?? ''}${view.service.provider ? `, ${view.service.provider}` : ''}`] as [
            string,
            string,
          ],
        ]
      : []),
    ...(view.patientId
      ? [
          [
            'Patient',
            <a key="pt" href={`/patients/${encodeURIComponent(view.patientId)}`}>
              Open the patient’s record
            </a>,
          ] as [string, ReactNode],
        ]
      : []),
    ...(view.outcome
      ? [
          ['Outcome', `${reasonName(view.outcome.reason)}${view.outcome.text ? `: ${view.outcome.text}` : ''}`] as [
            string,
            string,
          ],
        ]
      : []),
  ];
  return (
    <>
      <dl className="nhsuk-summary-list">
        {rows.map(([key, value]) => (
          <div className="nhsuk-summary-list__row" key={key}>
            <dt className="nhsuk-summary-list__key">{key}</dt>
            <dd className="nhsuk-summary-list__value">{value}</dd>
          </div>
        ))}
      </dl>
      {view.status === 'draft' && (
        <p className="nhsuk-body">
          <a href={`/referrals/${encodeURIComponent(id)}/services`}>Choose a service and send it</a>
        </p>
      )}
    </>
  );
}

const REFERRER_TAG = 'https://careweave.example/fhir/CodeSystem/referrer-organization';

function RecordPart({ view, id, onDone }: { view: ReferralView; id: string; onDone: Done }) {
  const record = useQuery(recordQuery(id, view.task));
  const session = useSession();
  // The referrer's own organisation is offered only what a referrer does (booking what they deferred,
  // acting on a returned referral); the provider's actions are the provider's. The server decides either way.
  const referrer =
    session?.kind === 'staff' &&
    !!record.data?.request.meta?.tag?.some((t) => t.system === REFERRER_TAG && t.code === session.organizationId);
  return (
    <>
      <QueryStatus query={record} what="the referral’s record" errorTitle="The referral’s record could not be loaded" />
      {record.data && (
        <>
          <ReferralActions view={view} onDone={onDone} side={referrer ? 'referrer' : 'provider'} />
          <p className="nhsuk-body-s">
            Written {formatDate(record.data.request.authoredOn)}
            {record.data.request.occurrencePeriod?.end
              ? ` · first appointment due by ${formatDate(record.data.request.occurrencePeriod.end)}`
              : ''}
          </p>
          <ReferralRecordSections record={record.data} specialty={view.specialty} />
        </>
      )}
    </>
  );
}
