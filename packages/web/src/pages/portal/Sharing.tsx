import type { CareTeam, Consent, Organization, Practitioner, RelatedPerson } from '@medplum/fhirtypes';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { fhirPost, fhirPut, searchAll } from '../../api/client.ts';
import { allOrganisations, forgetRecord, loadPatientRecord } from '../../api/record.ts';
import { useSession } from '../../auth/session.ts';
import { useAsync } from '../../components/async.ts';
import { Empty, ErrorMessage, Loading, Notice } from '../../components/feedback.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { CATEGORIES, consentFor, describeProvision, inForce, type SharingChoice } from '../../lib/consent.ts';
import { isoDay } from '../../lib/dates.ts';
import { codeIn, displayName, ORGANISATION_TYPE_SYSTEM } from '../../lib/fhir-display.ts';

const OUTSIDE_NHS = ['care-home', 'non-nhs-app', 'voluntary-sector'];
type Who = 'organisation' | 'team' | 'person' | 'carer' | 'everyone';

/** Manage sharing: who can see which parts of my record, and for how long. */
export default function Sharing({ patientId }: { patientId: string }) {
  const session = useSession();
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  const data = useAsync(async () => {
    const [consents, organisations, teams, carers, record] = await Promise.all([
      searchAll<Consent>('Consent', { patient: `Patient/${patientId}`, _count: '200' }, { maxPages: 2 }),
      allOrganisations(),
      searchAll<CareTeam>('CareTeam', { subject: `Patient/${patientId}`, _count: '50' }, { maxPages: 1 }),
      searchAll<RelatedPerson>('RelatedPerson', { patient: `Patient/${patientId}`, _count: '50' }, { maxPages: 1 }),
      loadPatientRecord(patientId),
    ]);
    const people = [...record.referenced.values()].filter((r): r is Practitioner => r.resourceType === 'Practitioner');
    const names = new Map<string, string>([
      ...organisations.map((o): [string, string] => [`Organization/${o.id}`, o.name ?? o.id!]),
      ...teams.resources.map((t): [string, string] => [`CareTeam/${t.id}`, t.name ?? 'your care team']),
      ...carers.resources.map((c): [string, string] => [
        `RelatedPerson/${c.id}`,
        `${displayName(c.name)} (your carer)`,
      ]),
      ...people.map((p): [string, string] => [`Practitioner/${p.id}`, displayName(p.name)]),
    ]);
    return {
      nameOf: (reference: string) => names.get(reference),
      consents: consents.resources.filter(
        (c) => inForce(c) && c.scope?.coding?.some((x) => x.code === 'patient-privacy'),
      ),
      organisations,
      teams: teams.resources,
      carers: carers.resources,
      people,
    };
  }, [patientId]);

  const revoke = async (consent: Consent): Promise<void> => {
    setFailure(undefined);
    try {
      await fhirPut(`Consent/${consent.id}`, { ...consent, status: 'inactive' }, consent.meta?.versionId);
      setNotice(`Removed: ${describeProvision(consent.provision!, data.data?.nameOf)}`);
      forgetRecord();
      data.reload();
    } catch (error) {
      setFailure(error as Error);
    }
  };

  if (session?.kind === 'related-person') {
    return (
      <>
        <PageTitle>Sharing</PageTitle>
        <p className="nhsuk-body">Only the person you care for can change who sees their record.</p>
      </>
    );
  }
  return (
    <>
      <PageTitle>Manage who can see your record</PageTitle>
      {notice && <Notice title={notice} />}
      {failure && <ErrorMessage error={failure} title="Your choice was not saved" />}
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          Staff caring for you can see your record when their organisation has agreed to share with the one that holds
          it. Mental health, safeguarding and social care information is shared only with the team treating you, and
          only where the organisations have agreed to share it; you can stop that here. Sexual health information is
          only shared if you allow it. Care homes, apps and voluntary organisations only see what you allow. You can
          change your mind at any time.
        </p>
      </div>
      <h2 className="nhsuk-heading-m">Your choices</h2>
      {data.status === 'loading' && <Loading what="your choices" />}
      {data.status === 'error' && <ErrorMessage error={data.error} onRetry={data.reload} />}
      {data.status === 'ready' && (
        <>
          {data.data.consents.length === 0 ? (
            <Empty>You have not made any choices. Your record is shared in the usual way.</Empty>
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
                    onClick={() => void revoke(consent)}
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
          <AddChoice
            patientId={patientId}
            options={data.data}
            onSaved={(message) => {
              setNotice(message);
              forgetRecord();
              data.reload();
            }}
          />
        </>
      )}
    </>
  );
}

interface Options {
  nameOf: (reference: string) => string | undefined;
  organisations: Organization[];
  teams: CareTeam[];
  carers: RelatedPerson[];
  people: Practitioner[];
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
  const [end, setEnd] = useState('');
  const [newCarer, setNewCarer] = useState({ given: '', family: '', relationship: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const organisation = options.organisations.find((o) => o.id === target);
  const outsideNhs =
    who === 'organisation' && OUTSIDE_NHS.includes(codeIn(organisation?.type, ORGANISATION_TYPE_SYSTEM) ?? '');
  const needsEnd = (who === 'carer' || outsideNhs) && effect === 'permit';

  const actorFor = (): SharingChoice['actor'] => {
    switch (who) {
      case 'organisation':
        return organisation
          ? { reference: `Organization/${organisation.id}`, display: organisation.name ?? organisation.id! }
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

  const submit = async (event: FormEvent): Promise<void> => {
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
    }
    if (needsEnd && !end) {
      problems.end = 'Enter the date this should stop';
    } else if (end && end < isoDay(new Date())) {
      problems.end = 'The end date must be today or in the future';
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      let actor = actorFor();
      if (who === 'carer' && target === 'new') {
        const created = await fhirPost<RelatedPerson>('RelatedPerson', {
          resourceType: 'RelatedPerson',
          active: true,
          patient: { reference: `Patient/${patientId}` },
          name: [{ use: 'official', given: [newCarer.given.trim()], family: newCarer.family.trim() }],
          ...(newCarer.relationship ? { relationship: [{ text: newCarer.relationship }] } : {}),
        });
        actor = { reference: `RelatedPerson/${created.id}`, display: displayName(created.name) };
      }
      const choice: SharingChoice = { effect: effect as 'permit' | 'deny', actor, categories, end: end || undefined };
      const consent = consentFor(patientId, choice);
      await fhirPost('Consent', consent);
      onSaved(`Saved: ${describeProvision(consent.provision!, options.nameOf)}`);
      setWho('');
      setTarget('');
      setEffect('');
      setCategories([]);
      setEnd('');
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
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
      <h2 className="nhsuk-heading-m" id="add-heading">
        Make a new choice
      </h2>
      {failure && <ErrorMessage error={failure} title="Your choice was not saved" />}
      <form onSubmit={(e) => void submit(e)} noValidate>
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
                'Everyone (opt out of sharing)',
                who === 'everyone',
                () => {
                  setWho('everyone');
                  setTarget('');
                },
                'Only the organisation that holds each part of your record will see it',
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
                        {displayName(p.name)}
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
        <div className={group('end')}>
          <label className="nhsuk-label" htmlFor="end">
            Until when? {needsEnd ? '' : '(optional)'}
          </label>
          <div className="nhsuk-hint" id="end-hint">
            {needsEnd
              ? 'Carers and organisations outside the NHS need an end date. You can remove it sooner.'
              : 'Leave empty to keep it until you change it.'}
          </div>
          {error('end')}
          <input
            className="nhsuk-input nhsuk-input--width-10"
            type="date"
            id="end"
            min={isoDay(new Date())}
            value={end}
            onChange={(e) => setEnd(e.target.value)}
            aria-describedby={`end-hint${errors.end ? ' end-error' : ''}`}
          />
        </div>
        <Button type="submit" disabled={busy}>
          Save this choice
        </Button>
      </form>
    </section>
  );
}
