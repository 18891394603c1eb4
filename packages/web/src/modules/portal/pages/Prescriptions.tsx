import type { MedicationRequest, Organization } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Textarea } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { FHIR_BASE, api, parameters, searchAll } from '../../../api/client.ts';
import { RECORD_KEY } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { refId, resourceTime, resourceTitle } from '../../../lib/fhir-display.ts';
import { Link } from 'react-router';
import { addressText, loadNomination, nominationKey } from '../pharmacy.ts';
import { usePortalVoice, type PortalVoice } from '../voice.ts';

function isRepeat(request: MedicationRequest): boolean {
  return (
    request.intent === 'order' &&
    request.status === 'active' &&
    !request.basedOn?.length &&
    Boolean(request.courseOfTherapyType?.coding?.some((c) => c.code === 'continuous'))
  );
}

interface RequestStatus {
  tag: string;
  colour: 'blue' | 'green' | 'red' | 'grey';
  text: string;
}

function statusOf(proposal: MedicationRequest, orders: MedicationRequest[]): RequestStatus {
  switch (proposal.status) {
    case 'active':
      return { tag: 'Waiting', colour: 'blue', text: 'Your GP practice is looking at your request.' };
    case 'completed': {
      const order = orders.find((o) => o.basedOn?.some((b) => refId(b, 'MedicationRequest') === proposal.id));
      return {
        tag: 'Approved',
        colour: 'green',
        text: `Approved${order ? ` on ${formatDate(order.authoredOn)}` : ''}. Your pharmacy will tell you when it is ready.`,
      };
    }
    case 'cancelled':
      if (proposal.statusReason?.coding?.some((c) => c.code === 'withdrawn')) {
        return { tag: 'Cancelled', colour: 'grey', text: 'You cancelled this request.' };
      }
      return {
        tag: 'Rejected',
        colour: 'red',
        text: `Not approved. Your GP practice said: “${proposal.statusReason?.text ?? 'No reason given'}”`,
      };
    default:
      return { tag: proposal.status, colour: 'grey', text: '' };
  }
}

/**
 * Issues left before the GP reviews a repeat: the number allowed less the orders issued from it
 * (each issue names the repeat among what it is based on). Undefined when no number was set.
 */
export function issuesLeft(repeat: MedicationRequest, orders: MedicationRequest[]): number | undefined {
  const allowed = repeat.dispenseRequest?.numberOfRepeatsAllowed;
  if (allowed === undefined) {
    return undefined;
  }
  const issued = orders.filter((o) => o.basedOn?.some((b) => refId(b, 'MedicationRequest') === repeat.id)).length;
  return Math.max(allowed - issued, 0);
}

/** The patient's repeat medicines, their requests (newest first) and the orders made from them. */
async function loadPrescriptions(patientId: string) {
  const { resources } = await searchAll<MedicationRequest>(
    'MedicationRequest',
    { subject: `Patient/${patientId}`, _count: '500' },
    { maxPages: 4 },
  );
  const repeats = resources.filter(isRepeat).sort((a, b) => resourceTitle(a).localeCompare(resourceTitle(b)));
  const proposals = resources.filter((r) => r.intent === 'proposal').sort((a, b) => resourceTime(b) - resourceTime(a));
  const orders = resources.filter((r) => r.intent === 'order' && r.basedOn?.length);
  return { repeats, proposals, orders };
}

/** My repeat medicines: order one (after checking the order), cancel a waiting request, and see what happened to each. */
export default function Prescriptions({ patientId }: { patientId: string }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const key = ['prescriptions', patientId];
  const data = useQuery({ queryKey: key, queryFn: () => loadPrescriptions(patientId) });
  const nomination = useQuery({ queryKey: nominationKey(patientId), queryFn: () => loadNomination(patientId) });
  const pharmacy = nomination.data?.pharmacy;
  const voice = usePortalVoice();
  const [checking, setChecking] = useState<MedicationRequest>();
  const requester =
    session?.kind === 'related-person' && session.actingFor
      ? `RelatedPerson/${session.actingFor.relatedPersonId}`
      : undefined;
  // The order is in the record too (the clinician's summary shows it waiting).
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: key }),
      queryClient.invalidateQueries({ queryKey: RECORD_KEY }),
    ]);
  const ordering = useMutation({
    mutationFn: ({ repeat, note }: { repeat: MedicationRequest; note: string }) =>
      api(`${FHIR_BASE}/MedicationRequest/${repeat.id}/$order-repeat`, {
        method: 'POST',
        body: parameters({ requester, note: note.trim() || undefined }),
      }),
    onSuccess: async () => {
      setChecking(undefined);
      await refresh();
    },
  });
  const withdrawing = useMutation({
    mutationFn: (proposal: MedicationRequest) =>
      api(`${FHIR_BASE}/MedicationRequest/${proposal.id}/$withdraw-repeat`, { method: 'POST', body: parameters({}) }),
    onSuccess: refresh,
  });
  const notice = ordering.isSuccess
    ? `You have ordered ${resourceTitle(ordering.variables.repeat)}. Your GP practice will look at your request within 2 working days.`
    : withdrawing.isSuccess
      ? `You have cancelled your request for ${resourceTitle(withdrawing.variables)}.`
      : undefined;

  if (data.status !== 'success') {
    return <QueryStatus query={data} what="your prescriptions" errorTitle="Prescriptions could not be loaded" />;
  }
  const { repeats, proposals, orders } = data.data;
  const waitingFor = new Map(
    proposals
      .filter((p) => p.status === 'active')
      .flatMap((p) => (p.basedOn ?? []).map((b) => [refId(b, 'MedicationRequest'), p] as const)),
  );
  return (
    <>
      <PageTitle caption={voice.caption}>Repeat prescriptions</PageTitle>
      {notice && <Notice title={notice} />}
      <NominatedPharmacy pharmacy={pharmacy} loaded={nomination.isSuccess} voice={voice} />
      {ordering.error && <ErrorMessage error={ordering.error} title="Your order was not sent" />}
      {withdrawing.error && <ErrorMessage error={withdrawing.error} title="Your request was not cancelled" />}
      <h2 className="nhsuk-heading-m">Your repeat medicines</h2>
      {repeats.length === 0 ? (
        <Empty>You have no repeat medicines you can order online.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {repeats.map((repeat) => (
            <li key={repeat.id} className="nhsuk-card nhsuk-u-margin-bottom-3">
              <div className="nhsuk-card__content">
                <h3 className="nhsuk-card__heading nhsuk-heading-s">{resourceTitle(repeat)}</h3>
                <p className="nhsuk-body">{repeat.dosageInstruction?.[0]?.text ?? ''}</p>
                <IssuesLeft left={issuesLeft(repeat, orders)} />
                {checking?.id === repeat.id ? (
                  <CheckOrder
                    repeat={repeat}
                    pharmacy={pharmacy}
                    busy={ordering.isPending}
                    onSend={(note) => ordering.mutate({ repeat, note })}
                    onCancel={() => setChecking(undefined)}
                  />
                ) : waitingFor.has(repeat.id) ? (
                  <p className="nhsuk-body nhsuk-u-margin-bottom-0">
                    <strong className="nhsuk-tag nhsuk-tag--blue">Ordered</strong> Waiting for your GP practice.{' '}
                    <Button
                      type="button"
                      secondary
                      className="nhsuk-u-margin-bottom-0"
                      disabled={withdrawing.isPending}
                      onClick={() => {
                        // The notice says what was done last: the order's notice goes.
                        ordering.reset();
                        withdrawing.mutate(waitingFor.get(repeat.id)!);
                      }}
                    >
                      Cancel this request
                      <span className="nhsuk-u-visually-hidden"> for {resourceTitle(repeat)}</span>
                    </Button>
                  </p>
                ) : (
                  <Button
                    type="button"
                    className="nhsuk-u-margin-bottom-0"
                    onClick={() => {
                      ordering.reset();
                      withdrawing.reset();
                      setChecking(repeat);
                    }}
                    aria-label={`Order ${resourceTitle(repeat)}`}
                  >
                    Order
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <h2 className="nhsuk-heading-m">Your requests</h2>
      {proposals.length === 0 ? (
        <Empty>You have not ordered anything online yet.</Empty>
      ) : (
        <ul className="nhsuk-list nhsuk-list--border cw-requests">
          {proposals.map((proposal) => {
            const status = statusOf(proposal, orders);
            return (
              <li key={proposal.id}>
                <strong className={`nhsuk-tag nhsuk-tag--${status.colour}`}>{status.tag}</strong>{' '}
                <strong>{resourceTitle(proposal)}</strong>, ordered {formatDate(proposal.authoredOn)}. {status.text}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

function IssuesLeft({ left }: { left: number | undefined }) {
  if (left === undefined) {
    return null;
  }
  return left > 0 ? (
    <p className="nhsuk-body-s cw-muted">
      {left} {left === 1 ? 'issue' : 'issues'} left before your GP reviews this medicine
    </p>
  ) : (
    <p className="nhsuk-body-s">
      <strong>Review due:</strong> your GP needs to review this medicine. You can still order it; the practice may
      contact you first.
    </p>
  );
}

/** The check before an order is sent: what is ordered, how it is taken, and an optional note for the practice. */
function CheckOrder({
  repeat,
  pharmacy,
  busy,
  onSend,
  onCancel,
}: {
  repeat: MedicationRequest;
  pharmacy: Organization | undefined;
  busy: boolean;
  onSend: (note: string) => void;
  onCancel: () => void;
}) {
  const [note, setNote] = useState('');
  const quantity = repeat.dispenseRequest?.quantity;
  return (
    <form
      className="cw-check-order"
      aria-label={`Check your order for ${resourceTitle(repeat)}`}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSend(note);
      }}
    >
      <h4 className="nhsuk-heading-xs">Check your order</h4>
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Medicine</dt>
          <dd className="nhsuk-summary-list__value">{resourceTitle(repeat)}</dd>
        </div>
        {quantity?.value !== undefined && (
          <div className="nhsuk-summary-list__row">
            <dt className="nhsuk-summary-list__key">Quantity</dt>
            <dd className="nhsuk-summary-list__value">
              {quantity.value} {quantity.unit ?? ''}
            </dd>
          </div>
        )}
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Where it will go</dt>
          <dd className="nhsuk-summary-list__value">
            {pharmacy
              ? `${pharmacy.name ?? 'Your nominated pharmacy'}, ${addressText(pharmacy.address?.[0])}`
              : 'No nominated pharmacy: the practice will tell you where to collect the prescription'}
          </dd>
        </div>
      </dl>
      <Textarea
        id={`note-${repeat.id}`}
        label="A note for your GP practice (optional)"
        hint="For example, if you need it sooner because you are going away."
        value={note}
        maxLength={500}
        onChange={(e) => setNote(e.currentTarget.value)}
      />
      <Button type="submit" disabled={busy}>
        Send my order
      </Button>{' '}
      <Button type="button" secondary onClick={onCancel}>
        Do not order
      </Button>
    </form>
  );
}

/** Where prescriptions go: the nominated pharmacy, and a link to change it. */
function NominatedPharmacy({
  pharmacy,
  loaded,
  voice,
}: {
  pharmacy: Organization | undefined;
  loaded: boolean;
  voice: PortalVoice;
}) {
  if (!loaded) {
    return null;
  }
  return (
    <div className="nhsuk-inset-text" data-testid="prescriptions-pharmacy">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      <p>
        {pharmacy ? (
          <>
            {voice.Your} prescriptions go to <strong>{pharmacy.name}</strong>, {addressText(pharmacy.address?.[0])}.{' '}
            <Link to="/my/pharmacy">Change the nominated pharmacy</Link>
          </>
        ) : (
          <>
            {capitalise(voice.youHave)} no nominated pharmacy. <Link to="/my/pharmacy">Choose a pharmacy</Link>
          </>
        )}
      </p>
    </div>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
