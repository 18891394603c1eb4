import type { CareTeam, Consent, Organization, Practitioner, RelatedPerson } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { fhirPost, fhirPut, searchAll } from '../../../api/client.ts';
import {
  organisationName,
  organisationsQuery,
  RECORD_KEY,
  recordQuery,
  resolveOrganisations,
} from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty, ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import {
  CATEGORIES,
  consentFor,
  describeProvision,
  inForce,
  STAFF_ROLES,
  type SharingChoice,
} from '../../../lib/consent.ts';
import { formatDate, isoDay } from '../../../lib/dates.ts';
import { staffContexts, type StaffContext } from '../staff-context.ts';
import { dateParts, NO_DATE, readDateParts, type DateParts } from '../../../lib/date-parts.ts';
import { DateInput } from '../../../components/DateInput.tsx';
import { codeIn, displayName, ORGANISATION_TYPE_SYSTEM } from '../../../lib/fhir-display.ts';
import {
  CHANGES,
  changeApplies,
  NATIONAL_SERVICE_URL,
  nationalDataOptOut,
  optOutChange,
  optOutsIn,
  sharedRecordObjection,
  withdrawn,
  type OptOutChange,
} from '../../../lib/opt-outs.ts';

const OUTSIDE_NHS = ['care-home', 'non-nhs-app', 'voluntary-sector'];
type Who = 'organisation' | 'team' | 'person' | 'carer' | 'everyone';
const SHARING = '/my/sharing';

/**
 * Manage sharing: the two kinds of opt-out, each said plainly and confirmed before it is saved (the
 * shared care record for your care; the National Data Opt-out for research and planning), then who
 * can see which parts of my record, and for how long.
 */
/** The patient's sharing choices, and who they could be about (organisations, teams, carers, staff). */
async function loadChoices(patientId: string, queryClient: QueryClient) {
  const [consents, organisations, teams, carers, record] = await Promise.all([
    searchAll<Consent>('Consent', { patient: `Patient/${patientId}`, _count: '200' }, { maxPages: 2 }),
    queryClient.fetchQuery(organisationsQuery),
    searchAll<CareTeam>('CareTeam', { subject: `Patient/${patientId}`, _count: '50' }, { maxPages: 1 }),
    searchAll<RelatedPerson>('RelatedPerson', { patient: `Patient/${patientId}`, _count: '50' }, { maxPages: 1 }),
    queryClient.fetchQuery(recordQuery(patientId)),
  ]);
  const people = [...record.referenced.values()].filter((r): r is Practitioner => r.resourceType === 'Practitioner');
  const names = new Map<string, string>([
    ...organisations.map((o): [string, string] => [`Organization/${o.id}`, o.name ?? o.id!]),
    ...teams.resources.map((t): [string, string] => [`CareTeam/${t.id}`, t.name ?? 'your care team']),
    ...carers.resources.map((c): [string, string] => [`RelatedPerson/${c.id}`, `${displayName(c.name)} (your carer)`]),
    ...people.map((p): [string, string] => [`Practitioner/${p.id}`, displayName(p.name)]),
  ]);
  const optOuts = optOutsIn(consents.resources);
  const staff = staffContexts(record);
  await resolveOrganisations(
    [...staff.values()].map((c) => c.organisationId).filter((id): id is string => Boolean(id)),
  );
  return {
    nameOf: (reference: string) => names.get(reference),
    optOuts,
    // The other choices; the objection to the shared care record has a section of its own.
    consents: consents.resources.filter(
      (c) =>
        inForce(c) && c.scope?.coding?.some((x) => x.code === 'patient-privacy') && !optOuts.objections.includes(c),
    ),
    organisations,
    teams: teams.resources,
    carers: carers.resources,
    people,
    staff,
  };
}

/** A saved choice changes the choices, what others see of the record, and who can see it. */
function invalidateSharing(queryClient: QueryClient, patientId: string): Promise<unknown> {
  return Promise.all(
    [['sharing', patientId], ['sharing-summary', patientId], RECORD_KEY].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  );
}

export default function Sharing({ patientId }: { patientId: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const confirming = optOutChange(useSearchParams()[0].get('confirm'));
  const [notice, setNotice] = useState<string>();
  const carer = session?.kind === 'related-person';
  const data = useQuery({
    queryKey: ['sharing', patientId],
    queryFn: () => loadChoices(patientId, queryClient),
    // Carers only read what the choices mean: there is nothing of the patient's to load.
    enabled: !carer,
  });
  const revoking = useMutation({
    mutationFn: (consent: Consent) => fhirPut(`Consent/${consent.id}`, withdrawn(consent), consent.meta?.versionId),
    onSuccess: (_saved, consent) => {
      setNotice(`Removed: ${describeProvision(consent.provision!, data.data?.nameOf)}`);
      return invalidateSharing(queryClient, patientId);
    },
  });
  const saved = (message: string): void => {
    setNotice(message);
    void invalidateSharing(queryClient, patientId);
  };
  const failure = revoking.error;

  if (carer) {
    return <CarerSharing />;
  }
  if (confirming && data.status === 'success' && changeApplies(confirming, data.data.optOuts)) {
    return (
      <ConfirmChange
        change={confirming}
        patientId={patientId}
        optOuts={data.data.optOuts}
        onDone={(message) => {
          saved(message);
          void navigate(SHARING, { replace: true });
        }}
      />
    );
  }
  return (
    <>
      <PageTitle>Manage who can see your record</PageTitle>
      {notice && <Notice title={notice} />}
      {failure && <ErrorMessage error={failure} title="Your choice was not saved" />}
      <p className="nhsuk-body">
        <a href="/my/who-can-see">See who can see your record</a>
      </p>
      <QueryStatus query={data} what="your choices" />
      {data.status === 'success' && (
        <>
          <CareSharing optedOut={data.data.optOuts.objections.length > 0} />
          <ResearchAndPlanning optedOut={data.data.optOuts.dataOptOuts.length > 0} />
          <h2 className="nhsuk-heading-m">Who can see which parts of your record</h2>
          <div className="nhsuk-inset-text">
            <span className="nhsuk-u-visually-hidden">Information: </span>
            <p>
              Staff caring for you can see your record when their organisation has agreed to share with the one that
              holds it. Mental health, safeguarding and social care information is shared only with the team treating
              you, and only where the organisations have agreed to share it; you can stop that here. Sexual health
              information is only shared if you allow it. Care homes, apps and voluntary organisations only see what you
              allow. You can change your mind at any time.
            </p>
          </div>
          <h3 className="nhsuk-heading-s">Your choices</h3>
          {data.data.consents.length === 0 ? (
            <Empty>You have not made any other choices. Your record is shared in the usual way.</Empty>
          ) : (
            <ul className="nhsuk-list nhsuk-list--border cw-choices">
              {data.data.consents.map((consent) => (
                <li key={consent.id} className="cw-choice">
                  <span>
                    <strong
                      className={`nhsuk-tag nhsuk-tag--${consent.provision?.type === 'permit' ? 'green' : 'red'} cw-tag-s`}
                    >
                      {consent.provision?.type === 'permit' ? 'Allowed' : 'Stopped'}
                    </strong>{' '}
                    {describeProvision(consent.provision!, data.data.nameOf)}
                  </span>
                  <button
                    type="button"
                    className="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0"
                    onClick={() => revoking.mutate(consent)}
                  >
                    Remove
                    <span className="nhsuk-u-visually-hidden">
                      {' '}
                      this choice: {describeProvision(consent.provision!, data.data.nameOf)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <AddChoice patientId={patientId} options={data.data} onSaved={saved} />
        </>
      )}
    </>
  );
}

/** Goes to the confirmation page of a change (`?confirm=…`); nothing is saved there until Confirm. */
function ChangeButton({ change }: { change: OptOutChange }) {
  const navigate = useNavigate();
  const undo = change === 'share-again' || change === 'opt-in';
  return (
    <Button secondary={!undo} type="button" onClick={() => void navigate(`${SHARING}?confirm=${change}`)}>
      {CHANGES[change].action}
    </Button>
  );
}

/** The objection to the shared care record, with what it does and does not do. */
function CareSharing({ optedOut }: { optedOut: boolean }) {
  return (
    <section aria-labelledby="care-heading" className="nhsuk-u-margin-bottom-6">
      <h2 className="nhsuk-heading-m" id="care-heading">
        Sharing your record for your care
      </h2>
      <p className="nhsuk-body">
        <strong className={`nhsuk-tag nhsuk-tag--${optedOut ? 'red' : 'green'}`}>
          {optedOut ? 'Stopped' : 'Shared'}
        </strong>{' '}
        {optedOut
          ? 'You have stopped sharing your record for your care.'
          : 'Your record is shared with the people caring for you.'}
      </p>
      <p className="nhsuk-body">
        Your GP practice, hospital, community nurses, mental health services, social care and the ambulance service can
        see each other’s records about you through CareWeave when they are caring for you. You can stop this. If you do:
      </p>
      <ul className="nhsuk-list nhsuk-list--bullet">
        <li>other organisations caring for you can no longer see your GP record, or theirs, through CareWeave</li>
        <li>your GP practice still sees its own record about you</li>
        <li>
          in an emergency, a clinician can still open your record with a reason, which is recorded and shown in your
          access log
        </li>
        <li>the people caring for you may not know about your medicines or allergies</li>
      </ul>
      <ChangeButton change={optedOut ? 'share-again' : 'stop-sharing'} />
    </section>
  );
}

/** The National Data Opt-out, with what it does and does not do. */
function ResearchAndPlanning({ optedOut }: { optedOut: boolean }) {
  return (
    <section aria-labelledby="research-heading" className="nhsuk-u-margin-bottom-6">
      <h2 className="nhsuk-heading-m" id="research-heading">
        Using your information for research and planning (the National Data Opt-out)
      </h2>
      <p className="nhsuk-body">
        <strong className={`nhsuk-tag nhsuk-tag--${optedOut ? 'red' : 'green'}`}>
          {optedOut ? 'Opted out' : 'Not opted out'}
        </strong>{' '}
        {optedOut
          ? 'You have opted out: your information is not used for research and planning through CareWeave.'
          : 'Your information can be used for research and for planning health and care services.'}
      </p>
      <p className="nhsuk-body">
        Information about your care can help to plan and pay for health and care services and to research new
        treatments. You can opt out of this. It never affects your care. If you opt out:
      </p>
      <ul className="nhsuk-list nhsuk-list--bullet">
        <li>
          your information is not used through CareWeave for commissioning analysis, research or pseudonymised exports
        </li>
        <li>the people caring for you still see your record as they do now</li>
      </ul>
      <p className="nhsuk-body">
        In the NHS, this choice is recorded nationally, using the{' '}
        <a href={NATIONAL_SERVICE_URL}>National Data Opt-out service at nhs.uk/your-nhs-data-matters</a>. CareWeave
        keeps its own record of your choice and honours it.
      </p>
      <ChangeButton change={optedOut ? 'opt-in' : 'opt-out'} />
    </section>
  );
}

/** A carer reads what the two choices mean; only the person cared for can make them. */
function CarerSharing() {
  return (
    <>
      <PageTitle>Sharing</PageTitle>
      <p className="nhsuk-body">Only the person you care for can change who sees their record.</p>
      <h2 className="nhsuk-heading-m">Sharing their record for their care</h2>
      <p className="nhsuk-body">
        They can stop other organisations caring for them seeing their GP record, and each other’s, through CareWeave.
        Their GP practice still sees its own record, and in an emergency a clinician can still open their record with a
        reason, which is recorded.
      </p>
      <h2 className="nhsuk-heading-m">Using their information for research and planning (the National Data Opt-out)</h2>
      <p className="nhsuk-body">
        They can opt out of their information being used for research and for planning health and care services. It
        never affects their care. The national service is at{' '}
        <a href={NATIONAL_SERVICE_URL}>nhs.uk/your-nhs-data-matters</a>.
      </p>
    </>
  );
}

/** Saves an opt-out, or withdraws the opt-outs in force to opt back in. */
async function applyChange(
  change: OptOutChange,
  patientId: string,
  optOuts: { objections: Consent[]; dataOptOuts: Consent[] },
): Promise<void> {
  switch (change) {
    case 'stop-sharing':
      await fhirPost('Consent', sharedRecordObjection(patientId));
      break;
    case 'opt-out':
      await fhirPost('Consent', nationalDataOptOut(patientId));
      break;
    case 'share-again':
    case 'opt-in':
      for (const consent of change === 'share-again' ? optOuts.objections : optOuts.dataOptOuts) {
        await fhirPut(`Consent/${consent.id}`, withdrawn(consent), consent.meta?.versionId);
      }
      break;
  }
}

/**
 * The confirmation page (`?confirm=…`): what the change will do, in the portal's words, in a warning
 * callout, then "Are you sure?" with Confirm and Cancel. Nothing is saved until Confirm.
 */
function ConfirmChange({
  change,
  patientId,
  optOuts,
  onDone,
}: {
  change: OptOutChange;
  patientId: string;
  optOuts: { objections: Consent[]; dataOptOuts: Consent[] };
  onDone: (message: string) => void;
}) {
  const wording = CHANGES[change];
  const navigate = useNavigate();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // A page of its own: its title, and focus on its heading (the address changed only in the query).
    document.title = `${wording.action} – CareWeave`;
    heading.current?.focus();
  }, [wording.action]);

  // Stays busy after success too: the page is about to go back to the sharing page.
  const saving = useMutation({
    mutationFn: () => applyChange(change, patientId, optOuts),
    onSuccess: () => onDone(wording.done),
  });
  const busy = saving.isPending || saving.isSuccess;
  const failure = saving.error;
  const confirm = (): void => saving.mutate();

  return (
    <>
      <h1 className="nhsuk-heading-l" ref={heading} tabIndex={-1}>
        <span className="nhsuk-caption-l">{wording.choice}</span>
        {wording.action}
      </h1>
      {failure && <ErrorMessage error={failure} title="Your choice was not saved" />}
      <div className="nhsuk-card nhsuk-card--warning">
        <div className="nhsuk-card__content">
          <h2 className="nhsuk-card__heading">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>
              What this will do
            </span>
          </h2>
          <ul className="nhsuk-list nhsuk-list--bullet">
            {wording.effects.map((effect) => (
              <li key={effect}>{effect}</li>
            ))}
          </ul>
        </div>
      </div>
      <h2 className="nhsuk-heading-m">Are you sure?</h2>
      <p className="nhsuk-body">You can change your mind at any time on this page.</p>
      <div className="nhsuk-button-group">
        {/* Stopping the shared care record can harm care: a warning button, as for other such actions. */}
        <Button warning={change === 'stop-sharing'} type="button" disabled={busy} onClick={confirm}>
          Confirm
        </Button>
        <Button secondary type="button" disabled={busy} onClick={() => void navigate(SHARING, { replace: true })}>
          Cancel
        </Button>
      </div>
    </>
  );
}

interface Options {
  nameOf: (reference: string) => string | undefined;
  optOuts: { objections: Consent[] };
  organisations: Organization[];
  teams: CareTeam[];
  carers: RelatedPerson[];
  people: Practitioner[];
  /** Where the patient knows each member of staff from (organisation, last seen). */
  staff: Map<string, StaffContext>;
}

/** A carer the patient names for the first time, as their RelatedPerson. */
async function addCarer(
  patientId: string,
  carer: { given: string; family: string; relationship: string },
): Promise<SharingChoice['actor']> {
  const created = await fhirPost<RelatedPerson>('RelatedPerson', {
    resourceType: 'RelatedPerson',
    active: true,
    patient: { reference: `Patient/${patientId}` },
    name: [{ use: 'official', given: [carer.given.trim()], family: carer.family.trim() }],
    ...(carer.relationship ? { relationship: [{ text: carer.relationship }] } : {}),
  });
  return { reference: `RelatedPerson/${created.id}`, display: displayName(created.name) };
}

function AddChoice({
  patientId,
  options,
  onSaved,
}: {
  patientId: string;
  options: Options;
  onSaved: (message: string) => void;
}) {
  const [who, setWho] = useState<Who | ''>('');
  const [target, setTarget] = useState('');
  const [effect, setEffect] = useState<'permit' | 'deny' | ''>('');
  const [categories, setCategories] = useState<string[]>([]);
  const [end, setEnd] = useState<DateParts>(NO_DATE);
  const [staffRole, setStaffRole] = useState('');
  const [newCarer, setNewCarer] = useState({ given: '', family: '', relationship: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const navigate = useNavigate();
  const saving = useMutation({
    mutationFn: async (choice: SharingChoice) => {
      // Someone new is added as the patient's RelatedPerson first; the choice is then about them.
      const actor = who === 'carer' && target === 'new' ? await addCarer(patientId, newCarer) : choice.actor;
      const consent = consentFor(patientId, { ...choice, actor });
      await fhirPost('Consent', consent);
      return consent;
    },
    onSuccess: (consent) => {
      onSaved(`Saved: ${describeProvision(consent.provision!, options.nameOf)}`);
      setWho('');
      setTarget('');
      setEffect('');
      setCategories([]);
      setEnd(NO_DATE);
    },
  });
  const busy = saving.isPending;
  const failure = saving.error;

  const organisation = options.organisations.find((o) => o.id === target);
  const outsideNhs =
    who === 'organisation' && OUTSIDE_NHS.includes(codeIn(organisation?.type, ORGANISATION_TYPE_SYSTEM) ?? '');
  const needsEnd = (who === 'carer' || outsideNhs) && effect === 'permit';

  const actorFor = (): SharingChoice['actor'] => {
    switch (who) {
      case 'organisation':
        return organisation
          ? {
              reference: `Organization/${organisation.id}`,
              display: organisation.name ?? organisation.id!,
              ...(staffRole ? { role: staffRole } : {}),
            }
          : undefined;
      case 'team': {
        const team = options.teams.find((t) => t.id === target);
        return team ? { reference: `CareTeam/${team.id}`, display: team.name ?? 'Your care team' } : undefined;
      }
      case 'person': {
        const person = options.people.find((p) => p.id === target);
        return person ? { reference: `Practitioner/${person.id}`, display: displayName(person.name) } : undefined;
      }
      case 'carer': {
        const carer = options.carers.find((c) => c.id === target);
        return carer ? { reference: `RelatedPerson/${carer.id}`, display: displayName(carer.name) } : undefined;
      }
      default:
        return undefined;
    }
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!who) {
      problems.who = 'Choose who this is about';
    } else if (who !== 'everyone' && !target) {
      problems.target = who === 'carer' ? 'Choose a carer, or add a new one' : 'Choose who this is about';
    }
    if (who === 'carer' && target === 'new' && (!newCarer.given.trim() || !newCarer.family.trim())) {
      problems.carer = 'Enter the carer’s first name and surname';
    }
    if (!effect) {
      problems.effect = 'Choose whether to allow or stop them seeing it';
    }
    if (who === 'everyone' && effect === 'permit') {
      problems.effect = 'You can only stop everyone; to allow someone, choose who';
    } else if (who === 'everyone' && categories.length === 0 && options.optOuts.objections.length > 0) {
      problems.who = 'You have already stopped sharing your record for your care';
    }
    const endDate = readDateParts(end, { name: 'end date', notBefore: isoDay(new Date()) });
    if ('error' in endDate) {
      problems.end = endDate.error;
    } else if (needsEnd && !endDate.value) {
      problems.end = 'Enter the date this should stop';
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      return;
    }
    if (who === 'everyone' && categories.length === 0) {
      // Stopping everyone seeing all of it is the objection to the shared care record: its own page
      // says what that does before it is saved.
      void navigate(`${SHARING}?confirm=stop-sharing`);
      return;
    }
    const until = 'value' in endDate && endDate.value ? endDate.value : undefined;
    saving.mutate({ effect: effect as 'permit' | 'deny', actor: actorFor(), categories, end: until });
  };

  const radio = (name: string, value: string, label: string, checked: boolean, onChange: () => void, hint?: string) => (
    <div className="nhsuk-radios__item" key={value}>
      <input
        className="nhsuk-radios__input"
        id={`${name}-${value}`}
        name={name}
        type="radio"
        value={value}
        checked={checked}
        onChange={onChange}
        aria-describedby={hint ? `${name}-${value}-hint` : undefined}
      />
      <label className="nhsuk-label nhsuk-radios__label" htmlFor={`${name}-${value}`}>
        {label}
      </label>
      {hint && (
        <div className="nhsuk-hint nhsuk-radios__hint" id={`${name}-${value}-hint`}>
          {hint}
        </div>
      )}
    </div>
  );
  const error = (key: string) =>
    errors[key] && (
      <span className="nhsuk-error-message" id={`${key}-error`}>
        <span className="nhsuk-u-visually-hidden">Error:</span> {errors[key]}
      </span>
    );
  const group = (key: string) => `nhsuk-form-group${errors[key] ? ' nhsuk-form-group--error' : ''}`;

  const nhs = options.organisations.filter(
    (o) => !OUTSIDE_NHS.includes(codeIn(o.type, ORGANISATION_TYPE_SYSTEM) ?? ''),
  );
  const outside = options.organisations.filter((o) =>
    OUTSIDE_NHS.includes(codeIn(o.type, ORGANISATION_TYPE_SYSTEM) ?? ''),
  );

  return (
    <section aria-labelledby="add-heading" className="cw-add-choice">
      <h3 className="nhsuk-heading-s" id="add-heading">
        Make a new choice
      </h3>
      {failure && <ErrorMessage error={failure} title="Your choice was not saved" />}
      <form onSubmit={submit} noValidate>
        <div className={group('who')}>
          <fieldset className="nhsuk-fieldset" aria-describedby={errors.who ? 'who-error' : undefined}>
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Who is this about?</legend>
            {error('who')}
            <div className="nhsuk-radios">
              {radio(
                'who',
                'organisation',
                'An organisation',
                who === 'organisation',
                () => {
                  setWho('organisation');
                  setTarget('');
                },
                'Such as a hospital, a care home or an app',
              )}
              {radio('who', 'team', 'A care team', who === 'team', () => {
                setWho('team');
                setTarget('');
              })}
              {radio('who', 'person', 'A member of staff', who === 'person', () => {
                setWho('person');
                setTarget('');
              })}
              {radio(
                'who',
                'carer',
                'A carer, relative or friend',
                who === 'carer',
                () => {
                  setWho('carer');
                  setTarget('');
                },
                'They can sign in and act for you within what you allow',
              )}
              {radio(
                'who',
                'everyone',
                'Everyone',
                who === 'everyone',
                () => {
                  setWho('everyone');
                  setTarget('');
                },
                'Everyone outside the organisation that holds each part of your record',
              )}
            </div>
          </fieldset>
        </div>
        {who === 'organisation' && (
          <div className={group('target')}>
            <label className="nhsuk-label" htmlFor="target">
              Organisation
            </label>
            {error('target')}
            <select
              className="nhsuk-select"
              id="target"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              aria-describedby={errors.target ? 'target-error' : undefined}
            >
              <option value="">Choose an organisation</option>
              <optgroup label="NHS and council services">
                {nhs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Outside the NHS: care homes, apps and voluntary organisations">
                {outside.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </optgroup>
            </select>
            <label className="nhsuk-label nhsuk-u-margin-top-3" htmlFor="staff-role">
              Which of their staff?
            </label>
            <div className="nhsuk-hint" id="staff-role-hint">
              For example, only a care home’s nurses. Receptionists never see more than your details and appointments.
            </div>
            <select
              className="nhsuk-select"
              id="staff-role"
              aria-describedby="staff-role-hint"
              value={staffRole}
              onChange={(e) => setStaffRole(e.target.value)}
            >
              <option value="">All their staff</option>
              {STAFF_ROLES.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {(who === 'team' || who === 'person') && (
          <div className={group('target')}>
            <label className="nhsuk-label" htmlFor="target">
              {who === 'team' ? 'Care team' : 'Member of staff'}
            </label>
            {error('target')}
            {(who === 'team' ? options.teams.length : options.people.length) === 0 ? (
              <p className="nhsuk-body">
                {who === 'team' ? 'You have no care teams in your record.' : 'No staff are named in your record yet.'}
              </p>
            ) : (
              <select className="nhsuk-select" id="target" value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="">Choose</option>
                {who === 'team'
                  ? options.teams.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name ?? 'Care team'}
                      </option>
                    ))
                  : options.people.map((p) => (
                      <option key={p.id} value={p.id}>
                        {staffLabel(p, options.staff.get(p.id!))}
                      </option>
                    ))}
              </select>
            )}
          </div>
        )}
        {who === 'carer' && (
          <div className={group('target')}>
            <fieldset className="nhsuk-fieldset" aria-describedby={errors.target ? 'target-error' : undefined}>
              <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Which carer?</legend>
              {error('target')}
              <div className="nhsuk-radios">
                {options.carers.map((c) =>
                  radio(
                    'target',
                    c.id!,
                    displayName(c.name),
                    target === c.id,
                    () => setTarget(c.id!),
                    c.relationship?.[0]?.text,
                  ),
                )}
                {radio('target', 'new', 'Someone new', target === 'new', () => setTarget('new'))}
              </div>
            </fieldset>
            {target === 'new' && (
              <div className={`nhsuk-radios__conditional ${group('carer')}`}>
                {error('carer')}
                <div className="nhsuk-form-group">
                  <label className="nhsuk-label" htmlFor="carer-given">
                    First name
                  </label>
                  <input
                    className="nhsuk-input nhsuk-input--width-20"
                    id="carer-given"
                    autoComplete="off"
                    value={newCarer.given}
                    onChange={(e) => setNewCarer({ ...newCarer, given: e.target.value })}
                  />
                </div>
                <div className="nhsuk-form-group">
                  <label className="nhsuk-label" htmlFor="carer-family">
                    Surname
                  </label>
                  <input
                    className="nhsuk-input nhsuk-input--width-20"
                    id="carer-family"
                    autoComplete="off"
                    value={newCarer.family}
                    onChange={(e) => setNewCarer({ ...newCarer, family: e.target.value })}
                  />
                </div>
                <div className="nhsuk-form-group">
                  <label className="nhsuk-label" htmlFor="carer-relationship">
                    How do they know you? (optional)
                  </label>
                  <input
                    className="nhsuk-input nhsuk-input--width-20"
                    id="carer-relationship"
                    autoComplete="off"
                    placeholder=""
                    value={newCarer.relationship}
                    onChange={(e) => setNewCarer({ ...newCarer, relationship: e.target.value })}
                  />
                </div>
              </div>
            )}
          </div>
        )}
        <div className={group('effect')}>
          <fieldset className="nhsuk-fieldset" aria-describedby={errors.effect ? 'effect-error' : undefined}>
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
              Do you want to allow them, or stop them?
            </legend>
            {error('effect')}
            <div className="nhsuk-radios">
              {radio('effect', 'permit', 'Allow them to see it', effect === 'permit', () => setEffect('permit'))}
              {radio('effect', 'deny', 'Stop them seeing it', effect === 'deny', () => setEffect('deny'))}
            </div>
          </fieldset>
        </div>
        <div className="nhsuk-form-group">
          <fieldset className="nhsuk-fieldset" aria-describedby="categories-hint">
            <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Which parts of your record?</legend>
            <div className="nhsuk-hint" id="categories-hint">
              Tick none for all of it. Sensitive information is marked.
            </div>
            <div className="nhsuk-checkboxes nhsuk-checkboxes--small cw-two-columns">
              {CATEGORIES.map((c) => (
                <div className="nhsuk-checkboxes__item" key={c.code}>
                  <input
                    className="nhsuk-checkboxes__input"
                    id={`category-${c.code}`}
                    type="checkbox"
                    value={c.code}
                    checked={categories.includes(c.code)}
                    onChange={(e) =>
                      setCategories(e.target.checked ? [...categories, c.code] : categories.filter((x) => x !== c.code))
                    }
                  />
                  <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={`category-${c.code}`}>
                    {c.label}
                    {c.sensitive ? ' (sensitive)' : ''}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <DateInput
          id="end"
          legend={`Until when?${needsEnd ? '' : ' (optional)'}`}
          hint={
            needsEnd
              ? `Carers and organisations outside the NHS need an end date, for example ${exampleEnd()}. You can remove it sooner.`
              : `For example, ${exampleEnd()}. Leave empty to keep it until you change it.`
          }
          value={end}
          error={errors.end}
          onChange={setEnd}
        />
        <Button type="submit" disabled={busy}>
          Save this choice
        </Button>
      </form>
    </section>
  );
}

/** An end date three months from today, as the date input's hint shows it ("7 3 2027"). */
function exampleEnd(): string {
  const day = new Date();
  day.setMonth(day.getMonth() + 3);
  const { day: d, month, year } = dateParts(isoDay(day));
  return `${d} ${month} ${year}`;
}

/** "Dr A Patel, Ormskirk Medical Practice (last seen 3 Mar 2026)": a name the patient can place. */
function staffLabel(person: Practitioner, context: StaffContext | undefined): string {
  const where = context?.organisationId ? `, ${organisationName(context.organisationId)}` : '';
  const when = context?.lastSeen ? ` (last seen ${formatDate(context.lastSeen)})` : '';
  const gp = context?.registeredGp ? ', your GP' : '';
  return `${displayName(person.name)}${gp}${where}${when}`;
}
