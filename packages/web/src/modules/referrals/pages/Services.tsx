import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useParams } from 'react-router';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Empty, ErrorMessage } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import {
  REFERRALS_KEY,
  referralQuery,
  sendReferral,
  shortlistQuery,
  type SendAction,
  type ServiceOption,
} from '../api.ts';
import { PriorityTag, Radios } from '../fields.tsx';
import { SentConfirmation } from '../SentConfirmation.tsx';
import { SlotChoice } from '../SlotChoice.tsx';
import { specialtyName, waitWords } from '../vocabulary.ts';

const describe = (o: ServiceOption): string =>
  [
    `${o.provider.name}${o.location ? `, ${o.location.name}` : ''}`,
    `Wait: ${waitWords(o.indicativeWaitDays)}`,
    o.distanceKm !== undefined ? `${o.distanceKm.toFixed(1)} km away` : 'Distance not known',
    o.directlyBookable ? 'Directly bookable' : 'The provider books',
    ...(o.triage ? ['Referral assessment (triage) service'] : []),
  ].join(' · ');

/**
 * The shortlist (up to five eligible services with waits and distances, recorded on the draft), the
 * patient's choice, and what to do: book now into a free slot, defer to the provider, or send for
 * triage. Sending answers the UBRN and the letter password, shown once.
 */
export default function Services() {
  const { id = '' } = useParams();
  const referral = useQuery(referralQuery(id));
  const draft = referral.data?.status === 'draft';
  const shortlist = useQuery({ ...shortlistQuery(id), enabled: draft });
  const [serviceId, setServiceId] = useState('');
  const [action, setAction] = useState('');
  const [slotId, setSlotId] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const summary = useRef<HTMLDivElement>(null);
  const queryClient = useQueryClient();
  const send = useMutation({
    mutationFn: () =>
      sendReferral(id, { serviceId, action: action as SendAction, ...(action === 'book' && slotId ? { slotId } : {}) }),
    // The cached draft is stale now (its page would show no UBRN); the shortlist is not asked for again.
    onSuccess: () =>
      queryClient.invalidateQueries({
        predicate: (query) => query.queryKey[0] === REFERRALS_KEY[0] && query.queryKey[1] !== 'shortlist',
      }),
  });
  const options = draft ? (shortlist.data?.options ?? []) : [];
  const chosen = options.find((o) => o.serviceId === serviceId);
  if (send.data) {
    return <SentConfirmation sent={send.data} service={chosen} />;
  }
  const submit = () => {
    const found: Record<string, string> = {};
    if (!chosen) {
      found[`service-${options[0]?.serviceId ?? ''}`] = 'Choose the service the patient wants';
    } else if (!action) {
      found['action-defer'] = 'Choose what to do next';
    }
    setProblems(found);
    if (Object.keys(found).length) {
      setTimeout(() => summary.current?.focus());
      return;
    }
    send.mutate();
  };
  const actions = chosen
    ? [
        ...(chosen.directlyBookable
          ? [{ value: 'book', label: 'Book now', hint: 'Book the first appointment with the patient, now' }]
          : []),
        { value: 'defer', label: 'Defer to the provider', hint: 'The provider books the appointment' },
        ...(chosen.triage
          ? [
              {
                value: 'triage',
                label: 'Send for triage',
                hint: 'Clinicians review it and accept, return or reject it',
              },
            ]
          : []),
      ]
    : [];
  return (
    <>
      <PageTitle caption="Referrals">Choose a service</PageTitle>
      <QueryStatus query={referral} what="the referral" errorTitle="The referral could not be found" />
      {referral.data && (
        <p className="nhsuk-body">
          {specialtyName(referral.data.specialty)} <PriorityTag priority={referral.data.priority} />
        </p>
      )}
      {referral.data && !draft && (
        <p className="nhsuk-inset-text">
          This referral has already been sent. <a href={`/referrals/${encodeURIComponent(id)}`}>Open the referral</a>
        </p>
      )}
      {draft && (
        <QueryStatus query={shortlist} what="services, waits and distances" errorTitle="Services could not be found" />
      )}
      {shortlist.status === 'success' && options.length === 0 && (
        <Empty>
          No service takes this referral for this patient. Check the specialty and urgency, or ask for advice.
        </Empty>
      )}
      {options.length > 0 && (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <ErrorSummary errors={problems} ref={summary} />
          {send.error && <ErrorMessage title="The referral was not sent" error={send.error} />}
          <Radios
            name="service"
            label={`Services offered to the patient (${options.length}): the patient’s choice`}
            hint="Eligible services, shortest wait first. Waits are from the services’ free appointments."
            legendSize="m"
            error={problems[`service-${options[0]!.serviceId}`]}
            value={serviceId}
            onChange={(value) => {
              setServiceId(value);
              setAction('');
              setSlotId('');
            }}
            options={options.map((o) => ({ value: o.serviceId, label: o.name, hint: describe(o) }))}
          />
          {chosen && (
            <Radios
              name="action"
              label="What do you want to do?"
              legendSize="m"
              error={problems['action-defer']}
              value={action}
              onChange={setAction}
              options={actions}
            />
          )}
          {chosen && action === 'book' && referral.data && (
            <SlotChoice
              serviceId={chosen.serviceId}
              priority={referral.data.priority}
              value={slotId}
              onChange={setSlotId}
            />
          )}
          <button type="submit" className="nhsuk-button" disabled={send.isPending}>
            Send referral
          </button>
        </form>
      )}
    </>
  );
}
