import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../../api/errors.ts';
import { useSession } from '../../../auth/session.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';
import { ErrorMessage } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { protocolQuery, publishProtocol, type Protocol, type Published } from '../protocols/api.ts';
import {
  changesBetween,
  checkForm,
  FIELD,
  formFrom,
  mayEditProtocols,
  protocolFrom,
  serverErrors,
  type Change,
  type EditorErrors,
} from '../protocols/editor.ts';
import { Preview } from '../protocols/Preview.tsx';
import { ProtocolForm } from '../protocols/ProtocolForm.tsx';

/**
 * `/telehealth/protocols/:id/edit`: a clinician or nurse changes a protocol and publishes it as the next
 * version (`POST /api/telehealth/protocols`). Three steps: the form (filled in from the latest version),
 * "Check your changes", and the confirmation with the review tasks raised. Patients already enrolled stay
 * on their version until the clinician who enrolled them reviews the change (docs/TELEHEALTH.md).
 */
export default function ProtocolEdit() {
  const { id = '' } = useParams();
  const session = useSession();
  // Always the latest version: a protocol is edited from what is published now.
  const protocol = useQuery({ ...protocolQuery(id), staleTime: 0 });
  if (!(session?.kind === 'staff' && mayEditProtocols(session.roleCode))) {
    return (
      <>
        <BackLink id={id} />
        <PageTitle caption="Telehealth protocol">You cannot change protocols</PageTitle>
        <p className="nhsuk-body">
          Only clinicians and nurses can publish a new version of a telehealth protocol. Ask a clinician at your
          practice if a protocol needs to change.
        </p>
      </>
    );
  }
  if (protocol.status !== 'success') {
    return (
      <>
        <PageTitle caption="Telehealth protocol">Change a protocol</PageTitle>
        <QueryStatus query={protocol} what="the protocol" errorTitle="The protocol could not be loaded" />
      </>
    );
  }
  return <Editor published={protocol.data} />;
}

function BackLink({ id }: { id: string }) {
  return (
    <p className="nhsuk-body">
      <a href={`/telehealth/protocols/${encodeURIComponent(id)}`}>Back to the protocol</a>
    </p>
  );
}

/** Moves focus to the page's heading when the step changes, as a new page would. */
function focusHeading(): void {
  requestAnimationFrame(() => {
    const heading = document.querySelector<HTMLElement>('main h1, h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
      window.scrollTo(0, 0);
    }
  });
}

type Step =
  { name: 'edit' } | { name: 'check'; draft: Protocol; changes: Change[] } | { name: 'done'; result: Published };

function Editor({ published }: { published: Protocol }) {
  // The version the changes are made to, kept while editing even if the query refreshes.
  const [base] = useState(published);
  const [form, setForm] = useState(() => formFrom(base));
  const [errors, setErrors] = useState<EditorErrors>({});
  const [step, setStep] = useState<Step>({ name: 'edit' });
  const summary = useRef<HTMLDivElement>(null);
  const queryClient = useQueryClient();
  const publish = useMutation({
    mutationFn: publishProtocol,
    onSuccess: async (result) => {
      setStep({ name: 'done', result });
      focusHeading();
      await queryClient.invalidateQueries({ queryKey: ['telehealth', 'protocols'] });
      await queryClient.invalidateQueries({ queryKey: ['telehealth', 'protocol', base.id] });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 400) {
        showErrors(serverErrors(error.outcome, error.message));
      }
    },
  });

  const showErrors = (problems: EditorErrors): void => {
    setErrors(problems);
    setStep({ name: 'edit' });
    requestAnimationFrame(() => summary.current?.focus());
  };

  const toCheck = (event: FormEvent): void => {
    event.preventDefault();
    const problems = checkForm(base, form);
    if (Object.keys(problems).length) {
      showErrors(problems);
      return;
    }
    const draft = protocolFrom(base, form);
    const changes = changesBetween(base, draft);
    if (!changes.length) {
      showErrors({ [FIELD.form]: 'You have not changed anything: change the protocol, or go back to it' });
      return;
    }
    setErrors({});
    publish.reset();
    setStep({ name: 'check', draft, changes });
    focusHeading();
  };

  if (step.name === 'done') {
    return <Done result={step.result} />;
  }
  const next = base.version + 1;
  if (step.name === 'check') {
    return (
      <>
        <PageTitle caption={`${base.title}, version ${next}`}>Check your changes</PageTitle>
        {publish.error && !(publish.error instanceof ApiError && publish.error.status === 400) && (
          <ErrorMessage error={publish.error} title="The protocol could not be published" />
        )}
        <dl className="nhsuk-summary-list">
          {step.changes.map((change) => (
            <div className="nhsuk-summary-list__row" key={change.what}>
              <dt className="nhsuk-summary-list__key">{change.what}</dt>
              <dd className="nhsuk-summary-list__value">
                <p className="nhsuk-body nhsuk-u-margin-bottom-1">{change.after || 'None'}</p>
                <p className="nhsuk-body-s nhsuk-u-secondary-text-color nhsuk-u-margin-bottom-0">
                  Was: {change.before || 'none'}
                </p>
              </dd>
            </div>
          ))}
        </dl>
        <div className="nhsuk-warning-callout">
          <h2 className="nhsuk-warning-callout__label">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>
              Enrolled patients
            </span>
          </h2>
          <p>
            Patients already on version {base.version}
            {base.version > 1 ? ' (or an earlier one)' : ''} stay on it; the clinician who enrolled each one will be
            asked to review the change.
          </p>
        </div>
        <div className="nhsuk-button-group">
          <Button type="button" disabled={publish.isPending} onClick={() => publish.mutate(step.draft)}>
            Publish version {next}
          </Button>
          <Button
            type="button"
            secondary
            disabled={publish.isPending}
            onClick={() => {
              setStep({ name: 'edit' });
              focusHeading();
            }}
          >
            Change something
          </Button>
        </div>
      </>
    );
  }
  return (
    <>
      <BackLink id={base.id} />
      <PageTitle caption={`Telehealth protocol, version ${base.version}`} title={`Change ${base.title}`}>
        Change {base.title}
      </PageTitle>
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          Your changes are published as version {next}. Patients already enrolled stay on their version until the
          clinician who enrolled them reviews the change. You check your changes before anything is published.
        </p>
      </div>
      <div className="nhsuk-grid-row">
        <div className="nhsuk-grid-column-two-thirds">
          <ErrorSummary errors={errors} ref={summary} />
          <form onSubmit={toCheck} noValidate id={FIELD.form} aria-label={`Change ${base.title}`} tabIndex={-1}>
            <ProtocolForm protocol={base} form={form} errors={errors} onChange={setForm} />
            <Button type="submit">Continue</Button>
          </form>
        </div>
      </div>
      <hr className="nhsuk-section-break nhsuk-section-break--l nhsuk-section-break--visible" />
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          The preview below uses the published version {base.version}, not your changes: it shows what your changes
          would do only once they are published.
        </p>
      </div>
      <Preview protocol={base} />
    </>
  );
}

function Done({ result }: { result: Published }) {
  const { protocol, changes, reviews } = result;
  useEffect(() => {
    document.title = `Version ${protocol.version} published – CareWeave`;
  }, [protocol.version]);
  return (
    <>
      <div className="nhsuk-panel">
        <h1 className="nhsuk-panel__title">Version {protocol.version} published</h1>
        <div className="nhsuk-panel__body">{protocol.title}</div>
      </div>
      <h2 className="nhsuk-heading-m">What changed</h2>
      {changes.length ? (
        <ul className="nhsuk-list nhsuk-list--bullet">
          {changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      ) : (
        <p className="nhsuk-body">Nothing in the rules, replies, schedule or questions.</p>
      )}
      <h2 className="nhsuk-heading-m">Enrolled patients</h2>
      <p className="nhsuk-body">
        {reviews === 0
          ? 'No patients were on an earlier version, so no reviews were needed.'
          : `${reviews} review ${reviews === 1 ? 'task was' : 'tasks were'} raised: the clinician who enrolled each patient is asked to review the change. Until then each patient stays on their version.`}
      </p>
      <p className="nhsuk-body">New enrolments use version {protocol.version}.</p>
      <ul className="nhsuk-list">
        <li>
          <a href={`/telehealth/protocols/${encodeURIComponent(protocol.id)}`}>Go to the protocol</a>
        </li>
        <li>
          <a href="/telehealth/protocols">All protocols</a>
        </li>
      </ul>
    </>
  );
}
