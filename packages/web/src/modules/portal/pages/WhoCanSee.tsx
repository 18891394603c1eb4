import type { Parameters } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { fhirGet } from '../../../api/client.ts';
import { ApiError } from '../../../api/errors.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ResponsiveTable } from '../../../components/ResponsiveTable.tsx';
import {
  carerSubject,
  categoryLabel,
  couldSeeGroups,
  emergencyText,
  groupRecipients,
  parseSharingSummary,
  patientSubject,
  reasonText,
  recipientTitle,
  relationshipText,
  visibleSummary,
  type Subject,
  type SummaryRecipient,
} from '../../../lib/sharing-summary.ts';

/**
 * Who can see my record, and why (docs/ACCESS.md, *Who can see what*): the server works it out with
 * the access rules themselves (`Patient/{id}/$sharing-summary`); this page only words it. For a
 * carer it speaks of the person they care for.
 */
export default function WhoCanSee({ patientId }: { patientId: string }) {
  const session = useSession();
  const actingFor = session?.kind === 'related-person' ? session.actingFor?.name : undefined;
  const subject = actingFor ? carerSubject(actingFor) : patientSubject;
  const summary = useQuery({
    queryKey: ['sharing-summary', patientId],
    queryFn: async () =>
      parseSharingSummary(await fhirGet<Parameters>(`Patient/${encodeURIComponent(patientId)}/$sharing-summary`)),
  });
  // A carer who may see only part of the record is not told who else sees it (it names their services).
  const refused = summary.status === 'error' && summary.error instanceof ApiError && summary.error.status === 403;
  const title = actingFor ? `Who can see ${subject.your} record` : 'Who can see your record';

  return (
    <>
      <PageTitle>{title}</PageTitle>
      {!refused && (
        <p className="nhsuk-body">
          This shows which organisations and people can see each part of {subject.your} record, and why. It is worked
          out from the same rules that decide what they see, so it changes as soon as those rules or {subject.your}{' '}
          choices change.
        </p>
      )}
      {summary.status === 'pending' && <Loading what="who can see the record" />}
      {summary.status === 'error' &&
        (refused && actingFor ? (
          <Empty>
            Only a carer who can see the whole of {subject.your} record can see who else can see it, because it shows
            which services care for them. {actingFor} can change what you can see.
          </Empty>
        ) : (
          <ErrorMessage error={summary.error} onRetry={() => void summary.refetch()} />
        ))}
      {summary.status === 'success' && (
        <Summary recipients={summary.data.recipients} emergency={summary.data.emergency} subject={subject} />
      )}
      <h2 className="nhsuk-heading-m">Good to know</h2>
      <ul className="nhsuk-list nhsuk-list--bullet">
        <li>Receptionists and clerks only ever see personal details and appointments.</li>
        <li>
          In an emergency, staff can open {subject.your} whole record for a few hours. This is always recorded, and it
          shows here and in <a href="/my/access-log">who has looked at the record</a>.
        </li>
        <li>Information kept out of {subject.your} online record is not included here.</li>
      </ul>
      {subject === patientSubject && (
        <p className="nhsuk-body">
          <a href="/my/sharing">Change who can see your record</a>
        </p>
      )}
    </>
  );
}

function Summary({
  recipients,
  emergency,
  subject,
}: {
  recipients: SummaryRecipient[];
  emergency: { practitioner: string; organisation: string; until: string }[];
  subject: Subject;
}) {
  const { now, couldSee, nothing } = groupRecipients(recipients);
  return (
    <>
      {emergency.length > 0 && (
        <div className="nhsuk-warning-callout" role="region" aria-labelledby="emergency-heading">
          <h2 className="nhsuk-warning-callout__label" id="emergency-heading">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>
              Emergency access
            </span>
          </h2>
          {emergency.map((access) => (
            <p key={`${access.practitioner}-${access.until}`}>{emergencyText(access, subject)}</p>
          ))}
        </div>
      )}
      <h2 className="nhsuk-heading-m">Who can see it now</h2>
      {now.length === 0 ? (
        <Empty>Nobody else can see any of it now.</Empty>
      ) : (
        now.map((recipient) => (
          <RecipientTable
            key={`${recipient.reference}|${recipient.role ?? ''}`}
            recipient={recipient}
            subject={subject}
          />
        ))
      )}
      {couldSee.length > 0 && (
        <>
          <h2 className="nhsuk-heading-m">Who could see it if they start caring for {subject.you}</h2>
          <p className="nhsuk-body">
            These organisations have agreed to share information with each other, or hold part of the record. They can
            only see it while they are caring for {subject.you}: for example, when{' '}
            {subject.you === 'you' ? 'you are' : `${subject.you} is`} referred to them or seen there.
          </p>
          <ResponsiveTable
            caption={`Organisations that could see parts of ${subject.your} record if they start caring for ${subject.you}`}
            captionHidden
            columns={[
              { key: 'names', header: 'Organisations', rowHeader: true, cell: (group) => group.names.join(', ') },
              { key: 'what', header: 'What they could see', cell: (group) => group.what },
            ]}
            rows={couldSeeGroups(couldSee)}
            rowKey={(group) => group.names.join('|')}
          />
        </>
      )}
      {nothing.length > 0 && (
        <>
          <h2 className="nhsuk-heading-m">Who cannot see it</h2>
          <ul className="nhsuk-list nhsuk-list--bullet">
            {nothing.map((recipient) => (
              <li key={`${recipient.reference}|${recipient.role ?? ''}`}>
                {recipientTitle(recipient)}
                {recipient.cells.some((c) => c.basis.includes('withheld-by-you')) &&
                  ` — ${subject.you} stopped them seeing some of it`}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function RecipientTable({ recipient, subject }: { recipient: SummaryRecipient; subject: Subject }) {
  const title = recipientTitle(recipient);
  const id = `recipient-${recipient.reference.replace(/[^A-Za-z0-9-]/g, '-')}${recipient.role ? `-${recipient.role}` : ''}`;
  return (
    <section aria-labelledby={id} className="nhsuk-u-margin-bottom-6">
      <h3 className="nhsuk-heading-s nhsuk-u-margin-bottom-1" id={id}>
        {title}
      </h3>
      <p className="nhsuk-body-s cw-muted nhsuk-u-margin-bottom-2">
        {[
          recipient.kind === 'carer' ? `A carer ${subject.you} named` : undefined,
          ...recipient.relationships.map((r) => relationshipText(r, subject)),
          visibleSummary(recipient),
        ]
          .filter(Boolean)
          .join('. ')}
        .
      </p>
      <ResponsiveTable
        caption={`What ${title} can see of ${subject.your} record, and why`}
        captionHidden
        columns={[
          { key: 'category', header: 'Information', rowHeader: true, cell: (cell) => categoryLabel(cell.category) },
          {
            key: 'visible',
            header: 'Can they see it?',
            cell: (cell) => (
              <strong className={`nhsuk-tag cw-tag-s ${cell.visible ? 'nhsuk-tag--green' : 'nhsuk-tag--grey'}`}>
                {cell.visible ? 'Yes' : 'No'}
              </strong>
            ),
          },
          { key: 'why', header: 'Why', cell: (cell) => reasonText(cell, subject) },
        ]}
        rows={recipient.cells}
        rowKey={(cell) => cell.category}
      />
      {recipient.seesSharingChoices && (
        <p className="nhsuk-body-s">They can also see the choices {subject.you} made about sharing.</p>
      )}
    </section>
  );
}
