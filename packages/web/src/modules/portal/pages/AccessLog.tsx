import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { api, fhirGet } from '../../../api/client.ts';
import { ApiError } from '../../../api/errors.ts';
import { organisationName, resolveOrganisations } from '../../../api/record.ts';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import { displayName, refId } from '../../../lib/fhir-display.ts';

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

/** The log of the patient's record, with the names of the people and organisations in it. */
async function loadLog(patientId: string) {
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
    const bundle = await fhirGet<Bundle<Practitioner>>(`Practitioner?_id=${people.slice(0, 100).join(',')}&_count=100`);
    for (const entry of bundle.entry ?? []) {
      names.set(entry.resource!.id!, displayName(entry.resource!.name));
    }
  }
  return { entries, names };
}

/** Who has looked at my record, including emergency (break-glass) access with its reason. */
export default function AccessLog({ patientId }: { patientId: string }) {
  const log = useQuery({ queryKey: ['access-log', patientId], queryFn: () => loadLog(patientId) });
  return (
    <>
      <PageTitle>Who has looked at your record</PageTitle>
      <p className="nhsuk-body">
        Every time someone looks at or changes your record, it is written down. If you think someone looked at it
        without a good reason, contact your GP practice.
      </p>
      {log.status === 'pending' && <Loading what="the access log" />}
      {log.status === 'error' &&
        (log.error instanceof ApiError && log.error.status === 404 ? (
          <Empty>The access log is not available on this server yet.</Empty>
        ) : (
          <ErrorMessage error={log.error} onRetry={() => void log.refetch()} />
        ))}
      {log.status === 'success' &&
        (log.data.entries.length === 0 ? (
          <Empty>Nobody has looked at your record yet.</Empty>
        ) : (
          <ResponsiveTable
            caption="Who has looked at your record, newest first"
            captionHidden
            columns={columns(log.data.names)}
            rows={log.data.entries}
            rowKey={(entry) => entry.seq}
          />
        ))}
    </>
  );
}

function columns(names: Map<string, string>): Column<AuditEntry>[] {
  return [
    { key: 'when', header: 'When', cell: (entry) => formatDateTime(entry.recordedAt) },
    { key: 'who', header: 'Who', cell: (entry) => who(entry, names) },
    { key: 'what', header: 'What they did', cell: (entry) => <WhatTheyDid entry={entry} /> },
  ];
}

function WhatTheyDid({ entry }: { entry: AuditEntry }) {
  const breakGlass =
    entry.decision === 'break-glass' || entry.interaction === 'break-glass' || Boolean(entry.breakGlassReason);
  return (
    <>
      {breakGlass && <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s">Emergency access</strong>}{' '}
      {entry.decision.startsWith('deny')
        ? 'Asked to see part of your record and was refused'
        : (INTERACTION[entry.interaction] ?? entry.interaction)}
      {entry.breakGlassReason && <span className="cw-item-detail">Reason given: “{entry.breakGlassReason}”</span>}
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
