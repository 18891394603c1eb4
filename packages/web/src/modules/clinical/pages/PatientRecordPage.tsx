import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useLocation, useParams } from 'react-router';
import { activeAccess, type ActiveAccess } from '../../../api/access.ts';
import { ApiError } from '../../../api/errors.ts';
import { recordQuery } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PatientBanner } from '../../../components/PatientBanner.tsx';
import { CLERICAL_ROLE, WithheldNotice } from '../../../components/WithheldNotice.tsx';
import { bannerName } from '../../../lib/fhir-display.ts';
import { CareAccessBanner } from './CareAccessBanner.tsx';
import { Summary } from './Summary.tsx';
import { TracedBanner, tracedFrom } from './TracedBanner.tsx';
import { Timeline } from './Timeline.tsx';

const Trends = lazy(() => import('./Trends.tsx'));

export type RecordView = 'summary' | 'timeline' | 'trends';

const VIEWS: { view: RecordView; label: string; path: string }[] = [
  { view: 'summary', label: 'Summary', path: '' },
  { view: 'timeline', label: 'Timeline', path: '/timeline' },
  { view: 'trends', label: 'Trends', path: '/trends' },
];

/** `/patients/:id`, `/patients/:id/timeline` and `/patients/:id/trends`: one page, three views. */
function RecordRoute({ view }: { view: RecordView }) {
  const { id = '' } = useParams();
  // A new patient starts afresh (no "ended" notice carried over from the last one).
  return <PatientRecordPage key={id} patientId={id} view={view} />;
}

export const SummaryPage = () => <RecordRoute view="summary" />;
export const TimelinePage = () => <RecordRoute view="timeline" />;
export const TrendsPage = () => <RecordRoute view="trends" />;

/** What the signed-in member of staff has opened for one patient (declared relationship, break-glass). */
const accessQuery = (patientId: string) => ({
  queryKey: ['active-access', patientId],
  // A server without the access API (or a failed look-up) just shows no banner.
  queryFn: () => activeAccess(patientId).catch((): ActiveAccess => ({})),
});

/** A patient's shared record as a clinician sees it: banner, then summary, timeline or trends. */
function PatientRecordPage({ patientId, view }: { patientId: string; view: RecordView }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const record = useQuery(recordQuery(patientId));
  const access = useQuery(accessQuery(patientId));
  const traced = tracedFrom(useLocation().state, patientId);
  const active = access.data ?? {};
  const [ended, setEnded] = useState(false);
  // After break-glass, a declaration or its end, the record itself shows more or less.
  const reload = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: recordQuery(patientId).queryKey });
    void queryClient.invalidateQueries({ queryKey: accessQuery(patientId).queryKey });
  }, [patientId, queryClient]);
  const unlocked = useCallback(() => {
    setEnded(false);
    reload();
  }, [reload]);
  const endedRelationship = useCallback(() => {
    setEnded(true);
    reload();
  }, [reload]);
  const endedNotice = ended && <Notice title="You ended your care relationship with this patient." />;
  const clerical = session?.kind === 'staff' && session.roleCode === CLERICAL_ROLE;
  const views = clerical ? VIEWS.filter((v) => v.view !== 'trends') : VIEWS;
  useEffect(() => {
    if (record.status === 'success') {
      document.title = `${VIEWS.find((v) => v.view === view)!.label} – ${bannerName(record.data.patient.name)} – CareWeave`;
      // Marks the moment the record is on screen, for the end-to-end timing.
      performance.mark('careweave:record-rendered');
    }
  }, [record.status, record.data, view]);

  if (record.status === 'pending') {
    return <Loading what="the patient’s record" />;
  }
  if (record.status === 'error') {
    if (record.error instanceof ApiError && record.error.mayBeHidden) {
      return (
        <>
          {endedNotice}
          {traced ? <TracedBanner person={traced} /> : <h1 className="nhsuk-heading-l">Patient record</h1>}
          <CareAccessBanner active={active} onEnded={endedRelationship} />
          <WithheldNotice patientId={patientId} onUnlocked={unlocked} wholeRecord active={active} />
        </>
      );
    }
    return <ErrorMessage title="The record could not be loaded" error={record.error} onRetry={reload} />;
  }
  const data = record.data;
  return (
    <div className="cw-record" data-load-ms={data.loadMs}>
      <p className="nhsuk-u-margin-bottom-2">
        <a className="nhsuk-back-link" href="/find">
          Find another patient
        </a>
      </p>
      {endedNotice}
      <PatientBanner record={data} />
      <CareAccessBanner active={active} onEnded={endedRelationship} />
      {data.withheld && <WithheldNotice patientId={patientId} onUnlocked={unlocked} active={active} />}
      {/* Enrolling is clinical work: not offered to clerical staff (the trends tab is hidden from them too). */}
      {!clerical && (
        <p className="nhsuk-body">
          <a href={`/telehealth/enrol?patient=${encodeURIComponent(patientId)}`}>Enrol on telehealth</a> (readings by
          text message)
        </p>
      )}
      {!clerical && (
        <p className="nhsuk-body">
          <a href={`/coordination/refer?patient=${encodeURIComponent(patientId)}`}>Refer for care coordination</a> (the
          community single point of access)
        </p>
      )}
      {!clerical && (
        <p className="nhsuk-body">
          <a href={`/referrals/new?patient=${encodeURIComponent(patientId)}`}>Refer to a specialist</a> (electronic
          referral)
        </p>
      )}
      <p className="nhsuk-body">
        <a href={`/practice-sms/results?patient=${encodeURIComponent(patientId)}`}>Texts about results</a> (agreement to
        clinical content by text; GPs text a normal result)
      </p>
      <p className="nhsuk-body">
        <a href={`/patients/${encodeURIComponent(patientId)}/care-profile`}>Core personal profile</a> (one printable
        page for everyone caring for them, the ambulance service included)
      </p>
      <nav className="cw-tabs" aria-label="Parts of the record">
        <ul className="cw-tabs__list">
          {views.map((item) => (
            <li key={item.view} className={`cw-tabs__item${item.view === view ? ' cw-tabs__item--current' : ''}`}>
              <a href={`/patients/${patientId}${item.path}`} aria-current={item.view === view ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {view === 'summary' && <Summary record={data} />}
      {view === 'timeline' && <Timeline record={data} />}
      {view === 'trends' && (
        <Suspense fallback={<Loading what="charts" />}>
          <Trends record={data} />
        </Suspense>
      )}
    </div>
  );
}
