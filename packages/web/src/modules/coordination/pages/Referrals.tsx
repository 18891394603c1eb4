import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import {
  COORDINATION_KEY,
  directoryQuery,
  longDate,
  referralsQuery,
  triage,
  type Referral,
  type TriageDecision,
} from '../api.ts';
import { HubNav, Radios, Select, TextArea } from '../fields.tsx';

/** The single point of access's worklist: referrals waiting for triage, oldest first (H-170). */
export default function Referrals() {
  const referrals = useQuery(referralsQuery);
  const [done, setDone] = useState<string | undefined>();
  return (
    <>
      <PageTitle caption="Care coordination">Referrals to triage</PageTitle>
      <HubNav />
      {done && <Notice title={done} />}
      {referrals.status === 'pending' && <Loading what="referrals" />}
      {referrals.status === 'error' && (
        <ErrorMessage
          title="Referrals could not be loaded"
          error={referrals.error}
          onRetry={() => void referrals.refetch()}
        />
      )}
      {referrals.status === 'success' &&
        (referrals.data.referrals.length === 0 ? (
          <Empty>There are no referrals waiting for triage.</Empty>
        ) : (
          <ul className="nhsuk-list">
            {referrals.data.referrals.map((referral) => (
              <ReferralCard key={referral.id} referral={referral} onDone={setDone} />
            ))}
          </ul>
        ))}
    </>
  );
}

function ReferralCard({ referral, onDone }: { referral: Referral; onDone: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const name = referral.patient?.name ?? 'A patient';
  const headingId = `referral-${referral.id}`;
  return (
    <li className="nhsuk-card" aria-labelledby={headingId}>
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-s" id={headingId}>
          {referral.priority === 'urgent' && <strong className="nhsuk-tag nhsuk-tag--red">Urgent</strong>} {name}
        </h2>
        <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
          {referral.patient?.nhsNumber ? `NHS number ${referral.patient.nhsNumber} · ` : ''}
          Received {longDate(referral.receivedAt)}
          {referral.referrer ? ` from ${referral.referrer}` : ''}
        </p>
        <p className="nhsuk-body">{referral.reason}</p>
        <button
          type="button"
          className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide triage' : 'Triage'}
          <span className="nhsuk-u-visually-hidden"> the referral for {name}</span>
        </button>
        {open && <TriageForm referral={referral} onDone={onDone} />}
      </div>
    </li>
  );
}

function TriageForm({ referral, onDone }: { referral: Referral; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const directory = useQuery(directoryQuery);
  const [decision, setDecision] = useState('');
  const [priority, setPriority] = useState('');
  const [coordinator, setCoordinator] = useState('');
  const [organization, setOrganization] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const id = referral.id;
  const name = referral.patient?.name ?? 'the patient';
  const run = useMutation({
    mutationFn: (body: TriageDecision) => triage(id, body),
    onSuccess: async (_answer, body) => {
      onDone(
        body.decision === 'accept'
          ? `Referral for ${name} accepted: the case is on the coordinator’s list.`
          : `Referral for ${name} ${body.decision === 'reject' ? 'not accepted' : 'redirected'}; the referrer has been told.`,
      );
      window.scrollTo(0, 0);
      await queryClient.invalidateQueries({ queryKey: COORDINATION_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!decision) {
      found[`decision-${id}-accept`] = 'Choose what to do with the referral';
    }
    if (decision === 'accept' && !priority) {
      found[`priority-${id}-routine`] = 'Choose a priority';
    }
    if (decision === 'accept' && !coordinator) {
      found[`coordinator-${id}`] = 'Choose the care coordinator';
    }
    if (decision === 'redirect' && !organization) {
      found[`organization-${id}`] = 'Choose where to redirect it';
    }
    if ((decision === 'reject' || decision === 'redirect') && reason.trim().length < 5) {
      found[`reason-${id}`] = 'Enter the reason, which the referrer will see';
    }
    setProblems(found);
    if (Object.keys(found).length) {
      return;
    }
    run.mutate(
      decision === 'accept'
        ? { decision, priority: priority as 'routine' | 'urgent' | 'asap', coordinator }
        : decision === 'reject'
          ? { decision, reason: reason.trim() }
          : { decision: 'redirect', organization, reason: reason.trim() },
    );
  };
  return (
    <form onSubmit={submit} noValidate className="nhsuk-u-margin-top-4">
      <ErrorSummary errors={problems} id={`triage-errors-${id}`} focusOnShow />
      {run.error && <ErrorMessage title="The triage was not saved" error={run.error} />}
      <Radios
        name={`decision-${id}`}
        label="Decision"
        error={problems[`decision-${id}-accept`]}
        value={decision}
        onChange={setDecision}
        options={[
          { value: 'accept', label: 'Accept' },
          { value: 'reject', label: 'Do not accept' },
          { value: 'redirect', label: 'Redirect' },
        ]}
      />
      {decision === 'accept' && (
        <>
          <Radios
            name={`priority-${id}`}
            label="Priority"
            error={problems[`priority-${id}-routine`]}
            value={priority}
            onChange={setPriority}
            options={[
              { value: 'routine', label: 'Routine' },
              { value: 'urgent', label: 'Urgent' },
              { value: 'asap', label: 'As soon as possible' },
            ]}
          />
          <Select
            id={`coordinator-${id}`}
            label="Care coordinator"
            hint="The one person who coordinates this patient’s care; they are told."
            error={problems[`coordinator-${id}`]}
            value={coordinator}
            onChange={setCoordinator}
            options={(directory.data?.coordinators ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </>
      )}
      {decision === 'redirect' && (
        <Select
          id={`organization-${id}`}
          label="Redirect to"
          error={problems[`organization-${id}`]}
          value={organization}
          onChange={setOrganization}
          options={(directory.data?.organizations ?? []).map((o) => ({ value: o.id, label: o.name }))}
        />
      )}
      {(decision === 'reject' || decision === 'redirect') && (
        <TextArea
          id={`reason-${id}`}
          label="Reason"
          hint="The referrer sees this."
          error={problems[`reason-${id}`]}
          value={reason}
          onChange={setReason}
        />
      )}
      <button type="submit" className="nhsuk-button nhsuk-u-margin-bottom-0" disabled={run.isPending}>
        Save decision<span className="nhsuk-u-visually-hidden"> for {name}</span>
      </button>
    </form>
  );
}
