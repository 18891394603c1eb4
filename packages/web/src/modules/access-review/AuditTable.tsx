import { organisationName } from '../../api/record.ts';
import { ResponsiveTable, type Column } from '../../components/ResponsiveTable.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { refId } from '../../lib/fhir-display.ts';
import { roleName } from '../../lib/roles.ts';
import { isBreakGlass, isRefusal } from '../portal/access-log.ts';
import type { ReviewEntry } from './api.ts';

/** Who did it, for a reviewer: the person, their role and organisation, or the connected system. */
export function actorText(entry: ReviewEntry, names: Map<string, string>): string {
  switch (entry.actor.kind) {
    case 'staff': {
      const id = refId(entry.actor.practitioner, 'Practitioner');
      const role = roleName(entry.actor.role);
      const person = names.get(id ?? '') ?? entry.actor.practitioner ?? 'Unknown member of staff';
      return `${person}${role ? ` (${role})` : ''}, ${organisationName(refId(entry.actor.organization, 'Organization'))}`;
    }
    case 'patient':
      return 'The patient';
    case 'related-person':
      return `A carer (${entry.actor.relatedPerson ?? 'unknown'})`;
    case 'system':
      return `Connected system ${entry.actor.clientId ?? ''}`.trim();
    default:
      return 'Unknown';
  }
}

/** The audit rows a privacy officer reviews, with the reason given for emergency access. */
export function AuditTable({
  caption,
  entries,
  names,
}: {
  caption: string;
  entries: ReviewEntry[];
  names: Map<string, string>;
}) {
  const columns: Column<ReviewEntry>[] = [
    { key: 'when', header: 'When', cell: (e) => formatDateTime(e.recordedAt) },
    { key: 'who', header: 'Who', cell: (e) => actorText(e, names) },
    { key: 'patient', header: 'Patient record', cell: (e) => (e.patientIds ?? []).join(', ') || '—' },
    {
      key: 'what',
      header: 'What happened',
      cell: (e) => (
        <>
          {isBreakGlass(e) && <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s">Emergency access</strong>}{' '}
          {isRefusal(e) && <strong className="nhsuk-tag nhsuk-tag--orange cw-tag-s">Refused</strong>} {e.interaction}
          {e.breakGlassReason && <span className="cw-item-detail">Reason given: “{e.breakGlassReason}”</span>}
        </>
      ),
    },
  ];
  return <ResponsiveTable caption={caption} columns={columns} rows={entries} rowKey={(e) => e.seq} />;
}
