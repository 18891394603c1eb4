import { useQuery } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { DateInput } from '../../../components/DateInput.tsx';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { NO_DATE, readDateParts, type DateParts } from '../../../lib/date-parts.ts';
import { roleName } from '../../../lib/roles.ts';
import { declaredToReview, searchAudit, thirtyDaysAgo, type AuditSearch, type DeclaredRelationship } from '../api.ts';
import { AuditTable } from '../AuditTable.tsx';

/**
 * The privacy officer's review (R0001): emergency (break-glass) access and self-declared care
 * relationships of the last 30 days, each with the reason given, and a search of the audit log.
 */
export default function AccessReview() {
  return (
    <>
      <PageTitle>Access reviews</PageTitle>
      <p className="nhsuk-body">
        Check each use of emergency access and each declared care relationship: was the reason good, and did the person
        only look at what they needed?
      </p>
      <BreakGlassReview />
      <DeclaredReview />
      <AuditSearchForm />
    </>
  );
}

function BreakGlassReview() {
  const review = useQuery({
    queryKey: ['access-review', 'break-glass'],
    queryFn: () => searchAudit({ concern: 'break-glass', from: thirtyDaysAgo() }),
  });
  return (
    <section aria-labelledby="glass-heading">
      <h2 className="nhsuk-heading-m" id="glass-heading">
        Emergency access in the last 30 days
      </h2>
      {review.status === 'pending' && <Loading what="emergency access" />}
      {review.status === 'error' && <ErrorMessage error={review.error} onRetry={() => void review.refetch()} />}
      {review.status === 'success' &&
        (review.data.entries.length === 0 ? (
          <Empty>Nobody used emergency access in the last 30 days.</Empty>
        ) : (
          <AuditTable
            caption={`${review.data.entries.length} uses of emergency access, newest first`}
            entries={review.data.entries}
            names={review.data.names}
          />
        ))}
    </section>
  );
}

function DeclaredReview() {
  const review = useQuery({ queryKey: ['access-review', 'declared'], queryFn: declaredToReview });
  return (
    <section aria-labelledby="declared-heading">
      <h2 className="nhsuk-heading-m" id="declared-heading">
        Declared care relationships in the last 30 days
      </h2>
      {review.status === 'pending' && <Loading what="declared relationships" />}
      {review.status === 'error' && <ErrorMessage error={review.error} onRetry={() => void review.refetch()} />}
      {review.status === 'success' &&
        (review.data.declarations.length === 0 ? (
          <Empty>Nobody in your organisation declared a care relationship in the last 30 days.</Empty>
        ) : (
          <ResponsiveTable<DeclaredRelationship>
            caption="Declared care relationships, newest first"
            rows={review.data.declarations}
            rowKey={(d) => d.id}
            columns={[
              { key: 'when', header: 'When', cell: (d) => formatDateTime(d.startedAt) },
              {
                key: 'who',
                header: 'Who',
                cell: (d) =>
                  `${review.data.names.get(d.practitionerId) ?? d.practitionerId}${d.roleCode ? ` (${roleName(d.roleCode)})` : ''}`,
              },
              { key: 'patient', header: 'Patient record', cell: (d) => d.patientId },
              { key: 'reason', header: 'Reason given', cell: (d) => d.reason },
              {
                key: 'until',
                header: 'Until',
                cell: (d) => (d.endedAt ? `Ended ${formatDateTime(d.endedAt)}` : formatDateTime(d.expiresAt)),
              },
            ]}
          />
        ))}
    </section>
  );
}

function AuditSearchForm() {
  const [patient, setPatient] = useState('');
  const [from, setFrom] = useState<DateParts>(NO_DATE);
  const [to, setTo] = useState<DateParts>(NO_DATE);
  const [concern, setConcern] = useState<'' | 'break-glass' | 'refused'>('');
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  const [search, setSearch] = useState<AuditSearch>();
  const [pages, setPages] = useState<number[]>([]);
  const before = pages.at(-1);
  const results = useQuery({
    queryKey: ['access-review', 'search', search, before],
    queryFn: () => searchAudit({ ...search, ...(before !== undefined ? { before } : {}) }),
    enabled: search !== undefined,
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const start = readDateParts(from, { name: 'start date' });
    const end = readDateParts(to, { name: 'end date' });
    const problems: typeof errors = {};
    if ('error' in start) {
      problems.from = start.error;
    }
    if ('error' in end) {
      problems.to = end.error;
    } else if ('value' in start && start.value && end.value && end.value < start.value) {
      problems.to = 'The end date must be the same as or after the start date';
    }
    setErrors(problems);
    if (problems.from || problems.to) {
      return;
    }
    setPages([]);
    setSearch({
      ...(patient.trim() ? { patient: patient.trim() } : {}),
      ...('value' in start && start.value ? { from: start.value } : {}),
      ...('value' in end && end.value ? { to: end.value } : {}),
      ...(concern ? { concern } : {}),
    });
  };

  return (
    <section aria-labelledby="search-heading">
      <h2 className="nhsuk-heading-m" id="search-heading">
        Search the audit log
      </h2>
      <form onSubmit={submit} noValidate role="search" aria-label="Search the audit log">
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="audit-patient">
            Patient record (optional)
          </label>
          <div className="nhsuk-hint" id="audit-patient-hint">
            The record’s id, as shown in the tables above.
          </div>
          <input
            className="nhsuk-input nhsuk-input--width-20"
            id="audit-patient"
            aria-describedby="audit-patient-hint"
            value={patient}
            onChange={(e) => setPatient(e.target.value)}
          />
        </div>
        <DateInput id="audit-from" legend="From (optional)" value={from} error={errors.from} onChange={setFrom} />
        <DateInput id="audit-to" legend="To (optional)" value={to} error={errors.to} onChange={setTo} />
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="audit-concern">
            Show
          </label>
          <select
            className="nhsuk-select"
            id="audit-concern"
            value={concern}
            onChange={(e) => setConcern(e.target.value as typeof concern)}
          >
            <option value="">Everything</option>
            <option value="break-glass">Emergency access only</option>
            <option value="refused">Refused requests only</option>
          </select>
        </div>
        <Button type="submit" secondary>
          Search
        </Button>
      </form>
      <div aria-live="polite">
        {results.status === 'pending' && search && <Loading what="audit entries" />}
        {results.status === 'error' && <ErrorMessage error={results.error} />}
        {results.status === 'success' &&
          (results.data.entries.length === 0 ? (
            <Empty>No audit entries match this search.</Empty>
          ) : (
            <>
              <AuditTable
                caption={`Audit entries${pages.length ? `, page ${pages.length + 1}` : ''}, newest first`}
                entries={results.data.entries}
                names={results.data.names}
              />
              {pages.length > 0 && (
                <Button secondary onClick={() => setPages(pages.slice(0, -1))}>
                  Newer entries
                </Button>
              )}{' '}
              {results.data.next && (
                <Button secondary onClick={() => setPages([...pages, results.data.next!.before])}>
                  Older entries
                </Button>
              )}
            </>
          ))}
      </div>
    </section>
  );
}
