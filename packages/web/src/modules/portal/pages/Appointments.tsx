import type { Appointment, Encounter, Patient } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type ReactNode } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { FHIR_BASE, api, fhirGet, parameters, searchAll } from '../../../api/client.ts';
import { organisationName, RECORD_KEY, resolveOrganisations, sourceOrganisationId } from '../../../api/record.ts';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { ResponsiveTable, type Column } from '../../../components/ResponsiveTable.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDate, formatDay, formatTime } from '../../../lib/dates.ts';
import { conceptText, refId } from '../../../lib/fhir-display.ts';
import { channelOf, channelText } from '../../../lib/appointment-channel.ts';
import { groupVisits, kindText, parseShow, pastStatusText, withWhom, type Show, type Visit } from '../appointments.ts';
import { usePortalVoice, type PortalVoice } from '../voice.ts';

/** The patient, their practice, and their appointments and visits everywhere. */
async function loadVisits(patientId: string) {
  const [patient, appointments, encounters] = await Promise.all([
    fhirGet<Patient>(`Patient/${patientId}`),
    searchAll<Appointment>(
      'Appointment',
      { patient: `Patient/${patientId}`, _sort: '-date', _count: '200' },
      { maxPages: 3 },
    ),
    searchAll<Encounter>(
      'Encounter',
      { patient: `Patient/${patientId}`, _sort: '-date', _count: '30' },
      { maxPages: 1 },
    ),
  ]);
  const practiceId = refId(
    patient.generalPractitioner?.find((g) => refId(g, 'Organization')),
    'Organization',
  );
  const record = { patient, referenced: new Map(), byType: new Map([['Encounter', encounters.resources]]) };
  const orgIds = [
    practiceId,
    ...[...appointments.resources, ...encounters.resources].map((r) => sourceOrganisationId(r, record)),
  ];
  await resolveOrganisations(orgIds.filter((id): id is string => Boolean(id)));
  const visits: Visit[] = [
    ...appointments.resources.map((a) => ({
      key: `Appointment/${a.id}`,
      what: a.serviceType?.length ? kindText(a.serviceType) : (a.description ?? 'Appointment'),
      start: a.start,
      where: organisationName(sourceOrganisationId(a, record)),
      status: a.status,
      channel: channelOf(a.serviceType),
      reason: a.reasonCode?.map((r) => r.text ?? conceptText(r)).join('; ') || undefined,
      appointment: a,
    })),
    ...encounters.resources.map((e) => ({
      key: `Encounter/${e.id}`,
      what: conceptText(e.type?.[0]),
      start: e.period?.start,
      where: organisationName(sourceOrganisationId(e, record)),
      status: e.status,
    })),
  ];
  return { patient, practiceId, visits };
}

const SHOW_LABELS: Record<Show, string> = { upcoming: 'Upcoming', past: 'Past', cancelled: 'Cancelled' };

function whatCell(visit: Visit) {
  const status = pastStatusText(visit.status);
  return (
    <>
      {visit.what}
      {visit.channel && <span className="cw-muted">, {channelText(visit.channel).toLowerCase()}</span>}
      {status && <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s cw-tag-after">{status}</strong>}
    </>
  );
}

const PAST_COLUMNS: Column<Visit>[] = [
  { key: 'date', header: 'Date', cell: (visit) => formatDate(visit.start) },
  { key: 'what', header: 'What', cell: whatCell },
  { key: 'where', header: 'Where', cell: (visit) => visit.where },
];

const CANCELLED_COLUMNS: Column<Visit>[] = [
  { key: 'date', header: 'Date', cell: (visit) => `${formatDate(visit.start)} at ${formatTime(visit.start)}` },
  {
    key: 'what',
    header: 'What',
    cell: (visit) => (
      <>
        {visit.what}
        <strong className="nhsuk-tag nhsuk-tag--grey cw-tag-s cw-tag-after">Cancelled</strong>
        {visit.appointment?.cancelationReason?.text && (
          <span className="nhsuk-body-s cw-muted"> ({visit.appointment.cancelationReason.text})</span>
        )}
      </>
    ),
  },
  { key: 'where', header: 'Where', cell: (visit) => visit.where },
];

/**
 * Appointments: upcoming, past or cancelled (chosen in the address, so it survives a reload), with the
 * reason given and phone or face to face; cancelling an upcoming one; booking is its own page.
 */
export default function Appointments({ patientId }: { patientId: string }) {
  const voice = usePortalVoice();
  const queryClient = useQueryClient();
  const location = useLocation();
  const [params] = useSearchParams();
  const show = parseShow(params.get('show'));
  const booked = (location.state as { booked?: string } | null)?.booked;
  const [notice, setNotice] = useState<string | undefined>(booked);
  const data = useQuery({ queryKey: ['appointments', patientId], queryFn: () => loadVisits(patientId) });
  // Upcoming or past as of when the page opened (rendering again must not move them).
  const [now] = useState(Date.now);

  const cancelled = (message: string): void => {
    setNotice(message);
    for (const queryKey of [['appointments', patientId], ['slots'], RECORD_KEY]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  };

  if (data.status !== 'success') {
    return <QueryStatus query={data} what="appointments" errorTitle="Appointments could not be loaded" />;
  }
  const groups = groupVisits(data.data.visits, now);
  const shown = groups[show];
  return (
    <>
      <PageTitle caption={voice.caption}>Appointments</PageTitle>
      {notice && <Notice title={notice} />}
      {data.data.practiceId ? (
        <Link className="nhsuk-button nhsuk-u-margin-bottom-4" to="/my/appointments/book" draggable={false}>
          Book a GP appointment
        </Link>
      ) : (
        <p className="nhsuk-body">
          {voice.You} {voice.you === 'you' ? 'are' : 'is'} not registered with a GP practice, so cannot book a GP
          appointment here.
        </p>
      )}
      <nav className="cw-tabs" aria-label="Which appointments">
        <ul className="cw-tabs__list">
          {(Object.keys(SHOW_LABELS) as Show[]).map((key) => (
            <li key={key} className={`cw-tabs__item${key === show ? ' cw-tabs__item--current' : ''}`}>
              <Link to={`?show=${key}`} replace aria-current={key === show ? 'page' : undefined}>
                {SHOW_LABELS[key]} ({groups[key].length})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2 className="nhsuk-heading-m">{`${SHOW_LABELS[show]} appointments`}</h2>
      {shown.length === 0 ? (
        <Empty>{emptyText(show, voice)}</Empty>
      ) : show === 'upcoming' ? (
        <ul className="nhsuk-list">
          {shown.map((visit) => (
            <UpcomingAppointment key={visit.key} visit={visit} voice={voice} onCancelled={cancelled} />
          ))}
        </ul>
      ) : (
        <ResponsiveTable
          caption={`${SHOW_LABELS[show]} appointments`}
          captionHidden
          columns={show === 'past' ? PAST_COLUMNS : CANCELLED_COLUMNS}
          rows={shown.slice(0, 50)}
          rowKey={(visit) => visit.key}
        />
      )}
    </>
  );
}

function emptyText(show: Show, voice: PortalVoice): string {
  switch (show) {
    case 'upcoming':
      return `${capitalise(voice.youHave)} no upcoming appointments.`;
    case 'past':
      return 'No past appointments or visits.';
    case 'cancelled':
      return 'No cancelled appointments.';
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function UpcomingAppointment({
  visit,
  voice,
  onCancelled,
}: {
  visit: Visit;
  voice: PortalVoice;
  onCancelled: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const appointment = visit.appointment!;
  const when = `${formatDay(visit.start!)} at ${formatTime(visit.start)}`;
  const cancelling = useMutation({
    mutationFn: () =>
      api(`${FHIR_BASE}/Appointment/${appointment.id}/$cancel`, {
        method: 'POST',
        body: parameters({
          reason: voice.actingFor ? 'Cancelled online by the patient’s carer' : 'Cancelled online by the patient',
        }),
      }),
    onSuccess: () => onCancelled(`${voice.Your} appointment on ${when} has been cancelled.`),
  });
  return (
    <li className="nhsuk-card nhsuk-u-margin-bottom-3 cw-appointment">
      <div className="nhsuk-card__content">
        <h3 className="nhsuk-card__heading nhsuk-heading-s">{when}</h3>
        <dl className="nhsuk-summary-list nhsuk-u-margin-bottom-3">
          <Row label="What">
            {visit.what}
            {withWhom(appointment)}
          </Row>
          {visit.channel && <Row label="How">{channelText(visit.channel)}</Row>}
          <Row label="Where">
            {visit.channel === 'telephone' ? `The practice will phone ${voice.you}` : visit.where}
          </Row>
          {visit.reason && <Row label="Reason">{visit.reason}</Row>}
        </dl>
        {cancelling.error && <ErrorMessage error={cancelling.error} title="The appointment was not cancelled" />}
        {confirming ? (
          <div className="cw-confirm" role="group" aria-label="Confirm cancellation">
            <p className="nhsuk-body">
              Are you sure you want to cancel this appointment? Someone else will be able to book it.
            </p>
            <div className="nhsuk-button-group">
              <Button warning type="button" disabled={cancelling.isPending} onClick={() => cancelling.mutate()}>
                Yes, cancel it
              </Button>
              <Button secondary type="button" onClick={() => setConfirming(false)}>
                No, keep it
              </Button>
            </div>
          </div>
        ) : (
          <Button
            secondary
            type="button"
            className="nhsuk-u-margin-bottom-0"
            onClick={() => setConfirming(true)}
            aria-label={`Cancel appointment on ${when}`}
          >
            Cancel appointment
          </Button>
        )}
      </div>
    </li>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">{children}</dd>
    </div>
  );
}
