import type { AllergyIntolerance, DocumentReference, Observation } from '@medplum/fhirtypes';
import { organisationName, sourceOrganisationId, type PatientRecord } from '../../api/record.ts';
import { Empty } from '../../components/feedback.tsx';
import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import { formatDate } from '../../lib/dates.ts';
import { conceptText } from '../../lib/fhir-display.ts';
import { shownInRecord } from '../../lib/record-items.ts';
import { latestTestResults, type TestResult } from '../../lib/test-results.ts';

/** SNOMED CT "No known allergy": a clinical statement, shown as such; anything else is "none recorded". */
const NO_KNOWN_ALLERGY = ['716186003', '409137002'];

const FLAG_TEXT: Record<NonNullable<TestResult['flag']>, string | undefined> = {
  low: 'Below the normal range',
  high: 'Above the normal range',
  normal: undefined,
};

/**
 * The parts of the record patients look for first, as the NHS App shows them: allergies, test results
 * with their normal ranges and plain names, and letters and documents. `whose` is "your" or "their".
 */
export function RecordOverview({ record, whose }: { record: PatientRecord; whose: string }) {
  const allergies = (record.byType.get('AllergyIntolerance') ?? []).filter(shownInRecord) as AllergyIntolerance[];
  const results = latestTestResults((record.byType.get('Observation') ?? []).filter(shownInRecord) as Observation[]);
  const documents = ((record.byType.get('DocumentReference') ?? []) as DocumentReference[])
    .filter((d) => d.status !== 'entered-in-error')
    .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
  return (
    <>
      <section aria-labelledby="allergies-heading">
        <h2 className="nhsuk-heading-m" id="allergies-heading">
          Allergies and adverse reactions
        </h2>
        <Allergies allergies={allergies} />
      </section>
      <section aria-labelledby="results-heading">
        <h2 className="nhsuk-heading-m" id="results-heading">
          Test results
        </h2>
        {results.length === 0 ? (
          <Empty>No test results have been shared yet.</Empty>
        ) : (
          <ResponsiveTable
            caption={`The latest result of each of ${whose} tests, newest first`}
            captionHidden
            columns={RESULT_COLUMNS}
            rows={results.slice(0, 30)}
            rowKey={(r) => r.observation.id ?? r.name}
          />
        )}
      </section>
      <section aria-labelledby="documents-heading">
        <h2 className="nhsuk-heading-m" id="documents-heading">
          Letters and documents
        </h2>
        {documents.length === 0 ? (
          <Empty>No letters or documents have been shared yet.</Empty>
        ) : (
          <ul className="nhsuk-list nhsuk-list--border">
            {documents.slice(0, 30).map((document) => (
              <li key={document.id}>
                <a href={`/my/documents/${encodeURIComponent(document.id ?? '')}`}>
                  <strong>{document.description ?? conceptText(document.type)}</strong>
                </a>
                <span className="cw-item-detail">
                  {formatDate(document.date)} · {organisationName(sourceOrganisationId(document, record))}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function Allergies({ allergies }: { allergies: AllergyIntolerance[] }) {
  const noneKnown = allergies.some((a) => a.code?.coding?.some((c) => NO_KNOWN_ALLERGY.includes(c.code ?? '')));
  const real = allergies.filter((a) => !a.code?.coding?.some((c) => NO_KNOWN_ALLERGY.includes(c.code ?? '')));
  if (real.length === 0) {
    // "No known allergies" only when a clinician recorded it; an empty list is not a statement.
    return <p className="nhsuk-body">{noneKnown ? 'No known allergies' : 'No allergies recorded'}</p>;
  }
  return (
    <ul className="nhsuk-list nhsuk-list--border">
      {real.map((allergy) => {
        const reactions = (allergy.reaction ?? [])
          .flatMap((r) => r.manifestation.map((m) => conceptText(m)))
          .filter(Boolean);
        return (
          <li key={allergy.id}>
            <strong>{conceptText(allergy.code)}</strong>
            {allergy.criticality === 'high' && (
              <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s cw-tag-after">Severe</strong>
            )}
            {reactions.length > 0 && <span className="cw-item-detail">Reaction: {reactions.join(', ')}</span>}
          </li>
        );
      })}
    </ul>
  );
}

const RESULT_COLUMNS: Column<TestResult>[] = [
  { key: 'test', header: 'Test', cell: (r) => r.name },
  {
    key: 'result',
    header: 'Result',
    cell: (r) => (
      <>
        {r.value}
        {r.flag && FLAG_TEXT[r.flag] && (
          <strong className="nhsuk-tag nhsuk-tag--orange cw-tag-s cw-tag-after">{FLAG_TEXT[r.flag]}</strong>
        )}
      </>
    ),
  },
  { key: 'range', header: 'Normal range', cell: (r) => r.range ?? 'Not given' },
  { key: 'date', header: 'Date', cell: (r) => formatDate(r.date) },
];
