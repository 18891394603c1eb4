import { lazy, Suspense, useCallback, useEffect } from 'react';
import { ApiError } from '../../api/errors.ts';
import { forgetRecord, loadPatientRecord } from '../../api/record.ts';
import { useAsync } from '../../components/async.ts';
import { ErrorMessage, Loading } from '../../components/feedback.tsx';
import { PatientBanner } from '../../components/PatientBanner.tsx';
import { WithheldNotice } from '../../components/WithheldNotice.tsx';
import { bannerName } from '../../lib/fhir-display.ts';
import { Summary } from './Summary.tsx';
import { Timeline } from './Timeline.tsx';

const Trends = lazy(() => import('./Trends.tsx'));

export type RecordView = 'summary' | 'timeline' | 'trends';

const VIEWS: { view: RecordView; label: string; path: string }[] = [
  { view: 'summary', label: 'Summary', path: '' },
  { view: 'timeline', label: 'Timeline', path: '/timeline' },
  { view: 'trends', label: 'Trends', path: '/trends' },
];

/** A patient's shared record as a clinician sees it: banner, then summary, timeline or trends. */
export function PatientRecordPage({ patientId, view }: { patientId: string; view: RecordView }) {
  const record = useAsync(() => loadPatientRecord(patientId), [patientId]);
  const reload = useCallback(() => {
    forgetRecord(patientId);
    record.reload();
  }, [patientId, record]);
  useEffect(() => {
    if (record.status === 'ready') {
      document.title = `${VIEWS.find((v) => v.view === view)!.label} – ${bannerName(record.data.patient.name)} – CareWeave`;
      // Marks the moment the record is on screen, for the end-to-end timing.
      performance.mark('careweave:record-rendered');
    }
  }, [record.status, record.data, view]);

  if (record.status === 'loading') {
    return <Loading what="the patient’s record" />;
  }
  if (record.status === 'error') {
    if (record.error instanceof ApiError && record.error.mayBeHidden) {
      return (
        <>
          <h1 className="nhsuk-heading-l">Patient record</h1>
          <WithheldNotice patientId={patientId} onUnlocked={reload} wholeRecord />
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
      <PatientBanner record={data} />
      {data.withheld && <WithheldNotice patientId={patientId} onUnlocked={reload} />}
      <nav className="cw-tabs" aria-label="Parts of the record">
        <ul className="cw-tabs__list">
          {VIEWS.map((item) => (
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
