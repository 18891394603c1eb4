import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { api, fhirGet } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';
import { organisationName, resolveOrganisations } from '../../api/record.ts';
import { useAsync } from '../../components/async.ts';
import { Empty, ErrorMessage, Loading } from '../../components/feedback.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { displayName, refId } from '../../lib/fhir-display.ts';

/** One row of `GET /api/access/audit` (src/access/audit.ts). */
interface AuditEntry {
  seq: number;
  recordedAt: string;
  actor: {
    kind?: string;
    practitioner?: string;
    organization?: string;
    relatedPerson?: string;
    patient?: string;
    clientId?: string;
  };
  interaction: string;
  decision: string;
  breakGlassReason: string | null;
  resourceRefs: string[];
}

const INTERACTION: Record<string, string> = {
  read: 'Looked at part of the record',
  vread: 'Looked at an earlier version',
  search: 'Searched the record',
  history: 'Looked at changes',
  everything: 'Opened the whole record',
  create: 'Added information',
  update: 'Changed information',
  patch: 'Changed information',
  delete: 'Removed information',
  'break-glass': 'Used emergency access',
  'sharing-summary': 'Looked at who can see the record',
};

/** Who has looked at my record, including emergency (break-glass) access with its reason. */
export function AccessLog({ patientId }: { patientId: string }) {
  const log = useAsync(async () => {
    const { entries } = await api<{ entries: AuditEntry[] }>(
      `/api/access/audit?patient=${encodeURIComponent(patientId)}&_count=200`,
    );
    const orgs = entries
      .map((e) => refId(e.actor.organization, 'Organization'))
      .filter((id): id is string => Boolean(id));
    const people = [
      ...new Set(
        entries.map((e) => refId(e.actor.practitioner, 'Practitioner')).filter((id): id is string => Boolean(id)),
      ),
    ];
    await resolveOrganisations([...new Set(orgs)]);
    const names = new Map<string, string>();
    if (people.length) {
      const bundle = await fhirGet<Bundle<Practitioner>>(
        `Practitioner?_id=${people.slice(0, 100).join(',')}&_count=100`,
      );
      for (const entry of bundle.entry ?? []) {
        names.set(entry.resource!.id!, displayName(entry.resource!.name));
      }
    }
    return { entries, names };
  }, [patientId]);

  return (
    <>
      <PageTitle>Who has looked at your record</PageTitle>
      <p className="nhsuk-body">
        Every time someone looks at or changes your record, it is written down. If you think someone looked at it
        without a good reason, contact your GP practice.
      </p>
      {log.status === 'loading' && <Loading what="the access log" />}
      {log.status === 'error' &&
        (log.error instanceof ApiError && log.error.status === 404 ? (
          <Empty>The access log is not available on this server yet.</Empty>
        ) : (
          <ErrorMessage error={log.error} onRetry={log.reload} />
        ))}
      {log.status === 'ready' &&
        (log.data.entries.length === 0 ? (
          <Empty>Nobody has looked at your record yet.</Empty>
        ) : (
          <table className="nhsuk-table-responsive">
            <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">
              Who has looked at your record, newest first
            </caption>
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <th scope="col" className="nhsuk-table__header">
                  When
                </th>
                <th scope="col" className="nhsuk-table__header">
                  Who
                </th>
                <th scope="col" className="nhsuk-table__header">
                  What they did
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {log.data.entries.map((entry) => {
                const breakGlass =
                  entry.decision === 'break-glass' ||
                  entry.interaction === 'break-glass' ||
                  Boolean(entry.breakGlassReason);
                return (
                  <tr className="nhsuk-table__row" key={entry.seq}>
                    <td className="nhsuk-table__cell">
                      <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                        When{' '}
                      </span>
                      {formatDateTime(entry.recordedAt)}
                    </td>
                    <td className="nhsuk-table__cell">
                      <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                        Who{' '}
                      </span>
                      {who(entry, log.data.names)}
                    </td>
                    <td className="nhsuk-table__cell">
                      <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                        What they did{' '}
                      </span>
                      {breakGlass && <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s">Emergency access</strong>}{' '}
                      {entry.decision.startsWith('deny')
                        ? 'Asked to see part of your record and was refused'
                        : (INTERACTION[entry.interaction] ?? entry.interaction)}
                      {entry.breakGlassReason && (
                        <span className="cw-item-detail">Reason given: “{entry.breakGlassReason}”</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
    </>
  );
}

function who(entry: AuditEntry, names: Map<string, string>): string {
  switch (entry.actor.kind) {
    case 'staff': {
      const person = names.get(refId(entry.actor.practitioner, 'Practitioner') ?? '') ?? 'A member of staff';
      return `${person}, ${organisationName(refId(entry.actor.organization, 'Organization'))}`;
    }
    case 'patient':
      return 'You';
    case 'related-person':
      return 'Your carer';
    case 'system':
      return `A connected system (${entry.actor.clientId ?? 'unknown'})`;
    default:
      return 'Unknown';
  }
}
