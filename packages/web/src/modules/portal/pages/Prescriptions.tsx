import type { MedicationRequest } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { FHIR_BASE, api, parameters, searchAll } from '../../../api/client.ts';
import { RECORD_KEY } from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { refId, resourceTime, resourceTitle } from '../../../lib/fhir-display.ts';

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
      return {
        tag: 'Rejected',
        colour: 'red',
        text: `Not approved. Your GP practice said: “${proposal.statusReason?.text ?? 'No reason given'}”`,
      };
    default:
      return { tag: proposal.status, colour: 'grey', text: '' };
  }
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

/** My repeat medicines: order one, and see what happened to each request. */
export default function Prescriptions({ patientId }: { patientId: string }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const key = ['prescriptions', patientId];
  const data = useQuery({ queryKey: key, queryFn: () => loadPrescriptions(patientId) });
  const requester =
    session?.kind === 'related-person' && session.actingFor
      ? `RelatedPerson/${session.actingFor.relatedPersonId}`
      : undefined;
  const ordering = useMutation({
    mutationFn: (repeat: MedicationRequest) =>
      api(`${FHIR_BASE}/MedicationRequest/${repeat.id}/$order-repeat`, {
        method: 'POST',
        body: parameters({ requester }),
      }),
    // The order is in the record too (the clinician's summary shows it waiting).
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: key }),
        queryClient.invalidateQueries({ queryKey: RECORD_KEY }),
      ]),
  });
  const busy = ordering.isPending ? ordering.variables.id : undefined;
  const notice = ordering.isSuccess
    ? `You have ordered ${resourceTitle(ordering.variables)}. Your GP practice will look at your request within 2 working days.`
    : undefined;
  const order = (repeat: MedicationRequest): void => ordering.mutate(repeat);

  if (data.status !== 'success') {
    return <QueryStatus query={data} what="your prescriptions" errorTitle="Prescriptions could not be loaded" />;
  }
  const { repeats, proposals, orders } = data.data;
  const waiting = new Set(
    proposals
      .filter((p) => p.status === 'active')
      .flatMap((p) => p.basedOn?.map((b) => refId(b, 'MedicationRequest')) ?? []),
  );
  return (
    <>
      <PageTitle>Repeat prescriptions</PageTitle>
      {notice && <Notice title={notice} />}
      {ordering.error && <ErrorMessage error={ordering.error} title="Your order was not sent" />}
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
                {repeat.dispenseRequest?.numberOfRepeatsAllowed !== undefined && (
                  <p className="nhsuk-body-s cw-muted">
                    Repeats allowed before a review: {repeat.dispenseRequest.numberOfRepeatsAllowed}
                  </p>
                )}
                {waiting.has(repeat.id) ? (
                  <p className="nhsuk-body nhsuk-u-margin-bottom-0">
                    <strong className="nhsuk-tag nhsuk-tag--blue">Ordered</strong> Waiting for your GP practice.
                  </p>
                ) : (
                  <Button
                    type="button"
                    className="nhsuk-u-margin-bottom-0"
                    disabled={busy === repeat.id}
                    onClick={() => order(repeat)}
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
