import type { Resource } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useParams } from 'react-router';
import { organisationName, recordQuery, sourceOrganisationId, type PatientRecord } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PatientBanner } from '../../../components/PatientBanner.tsx';
import { NotOnlineTag } from '../../../components/RecordTable.tsx';
import { CLERICAL_ROLE } from '../../../components/WithheldNotice.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { documentText, entryFacts, lookupIn } from '../../../lib/entry-facts.ts';
import { bannerName, KIND_LABEL, resourceDate, resourceTitle } from '../../../lib/fhir-display.ts';
import { observationName, observationValue } from '../../../lib/observations.ts';
import { withheldFromOnlineView } from '../../../lib/online-view.ts';
import { entryPath, linkedEntries } from '../../../lib/record-links.ts';
import { statusWord } from '../../../lib/record-items.ts';

/** Clerical staff see a record's appointments only (docs/ACCESS.md, role rules). */
const CLERICAL_TYPES = new Set(['Appointment']);

/**
 * `/patients/:id/entries/:type/:entryId`: one entry of the record opened from the timeline or the
 * summary, with its facts, its text (notes and letters) and what it is linked to: a visit's tests,
 * problems and prescriptions; a problem's visits, medicines and plans; a medicine's issue history.
 */
export default function EntryPage() {
  const { id = '', type = '', entryId = '' } = useParams();
  const record = useQuery(recordQuery(id));
  const session = useSession();
  const clerical = session?.kind === 'staff' && session.roleCode === CLERICAL_ROLE;
  const entry = record.data?.resources.find(
    (r) => r.resourceType === type && r.id === entryId && (!clerical || CLERICAL_TYPES.has(type)),
  );
  useEffect(() => {
    if (record.data) {
      document.title = `${entry ? resourceTitle(entry) : 'Entry not found'} – ${bannerName(record.data.patient.name)} – CareWeave`;
    }
  }, [record.data, entry]);

  if (record.status === 'pending') {
    return <Loading what="the patient’s record" />;
  }
  if (record.status === 'error') {
    return <ErrorMessage title="The record could not be loaded" error={record.error} />;
  }
  return (
    <div className="cw-record">
      <p className="nhsuk-u-margin-bottom-2">
        <a className="nhsuk-back-link" href={`/patients/${encodeURIComponent(id)}/timeline`}>
          Back to the timeline
        </a>
      </p>
      <PatientBanner record={record.data} />
      {entry ? (
        <Entry record={record.data} entry={entry} patientId={id} />
      ) : (
        // Hidden and absent look the same: the record the caller may see has no such entry.
        <>
          <h2 className="nhsuk-heading-m">Entry not found</h2>
          <p className="nhsuk-body">This entry is not in the part of the record you can see.</p>
        </>
      )}
    </div>
  );
}

function Entry({ record, entry, patientId }: { record: PatientRecord; entry: Resource; patientId: string }) {
  const name = useMemo(() => lookupIn(record.referenced), [record.referenced]);
  const facts = entryFacts(entry, (reference) => {
    const found = name(reference);
    const org = reference?.reference?.startsWith('Organization/')
      ? organisationName(reference.reference.slice(13))
      : '';
    return found ?? (org || undefined);
  });
  const text = documentText(entry);
  const groups = useMemo(() => linkedEntries(record.resources, entry), [record.resources, entry]);
  const status = statusWord(entry);
  return (
    <article aria-labelledby="entry-title">
      <span className="nhsuk-caption-m">{KIND_LABEL[entry.resourceType] ?? entry.resourceType}</span>
      <h2 className="nhsuk-heading-l" id="entry-title">
        {entry.resourceType === 'Observation' ? observationName(entry) : resourceTitle(entry)}
        {status && (
          <>
            {' '}
            <strong className="nhsuk-tag nhsuk-tag--grey">{status}</strong>
          </>
        )}
      </h2>
      {withheldFromOnlineView(entry) && (
        <p className="nhsuk-body">
          <NotOnlineTag />
        </p>
      )}
      <dl className="nhsuk-summary-list">
        {facts.map((item) => (
          <div className="nhsuk-summary-list__row" key={item.label}>
            <dt className="nhsuk-summary-list__key">{item.label}</dt>
            <dd className="nhsuk-summary-list__value cw-pre-line">{item.value}</dd>
          </div>
        ))}
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Held by</dt>
          <dd className="nhsuk-summary-list__value">{organisationName(sourceOrganisationId(entry, record))}</dd>
        </div>
      </dl>
      {text.map((part, index) => (
        <section key={index} className="cw-section" aria-label={part.title ?? 'Text'}>
          {part.title && <h3 className="nhsuk-heading-s">{part.title}</h3>}
          <p className="nhsuk-body cw-pre-line">{part.text}</p>
        </section>
      ))}
      {groups.map((group) => (
        <section key={group.title} className="cw-section" aria-labelledby={slug(group.title)}>
          <h3 className="nhsuk-heading-m" id={slug(group.title)}>
            {group.title} ({group.entries.length})
          </h3>
          <ul className="nhsuk-list nhsuk-list--border">
            {group.entries.map((linked) => (
              <li key={`${linked.resourceType}/${linked.id}`}>
                <a href={entryPath(patientId, linked)}>{linkText(linked)}</a>
                <span className="cw-linked-meta">
                  {' · '}
                  {[formatDate(resourceDate(linked)), statusWord(linked)].filter(Boolean).join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </article>
  );
}

function linkText(resource: Resource): string {
  if (resource.resourceType === 'Observation') {
    return `${observationName(resource)}: ${observationValue(resource)}`;
  }
  return resourceTitle(resource);
}

function slug(title: string): string {
  return `linked-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}
