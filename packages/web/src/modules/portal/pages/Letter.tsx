import type { DocumentReference } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { organisationName, recordQuery, sourceOrganisationId } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { documentText } from '../../../lib/entry-facts.ts';
import { conceptText, displayName } from '../../../lib/fhir-display.ts';

/**
 * A letter or document from the record, opened to its words (as the NHS App opens a letter): who
 * sent it and when, then its text. The record is the one already loaded (`$everything`), so the page
 * shows only what the reader may see; a document with no text version says where to get a copy.
 */
export default function Letter({ patientId }: { patientId: string }) {
  const { id = '' } = useParams();
  const session = useSession();
  const record = useQuery(recordQuery(patientId));
  if (record.status !== 'success') {
    return <QueryStatus query={record} what="the letter" errorTitle="The letter could not be loaded" />;
  }
  const document = (record.data.byType.get('DocumentReference') ?? []).find((d) => d.id === id) as
    DocumentReference | undefined;
  const back = (
    <p className="nhsuk-body-s">
      <Link to="/my#documents-heading">Back to {session?.kind === 'related-person' ? 'their' : 'your'} record</Link>
    </p>
  );
  if (!document || document.status === 'entered-in-error') {
    return (
      <>
        {back}
        <PageTitle>Letter not found</PageTitle>
        <p className="nhsuk-body">This letter is not in the record, or it has not been shared.</p>
      </>
    );
  }
  const title = document.description ?? conceptText(document.type) ?? 'Letter';
  const from = organisationName(sourceOrganisationId(document, record.data));
  const authors = (document.author ?? []).map((a) => a.display).filter(Boolean);
  const parts = documentText(document);
  return (
    <>
      {back}
      <PageTitle caption={`${formatDate(document.date)} · ${from}`} title={title}>
        {title}
      </PageTitle>
      {authors.length > 0 && <p className="nhsuk-body-s">Written by {authors.join(', ')}</p>}
      {session?.kind === 'related-person' && (
        <p className="nhsuk-body-s">A letter in {displayName(record.data.patient.name)}’s record.</p>
      )}
      {parts.length === 0 ? (
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>There is no text version of this document to show here. Ask {from} for a copy if you need one.</p>
        </div>
      ) : (
        <article className="cw-letter" aria-label={title}>
          {parts.map((part, i) => (
            <section key={i}>
              {part.title && <h2 className="nhsuk-heading-s">{part.title}</h2>}
              <p className="nhsuk-body cw-letter__text">{part.text}</p>
            </section>
          ))}
        </article>
      )}
    </>
  );
}
