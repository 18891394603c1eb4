import type { Patient } from '@medplum/fhirtypes';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, TextInput } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { tracePatient, type TraceCriteria } from '../../../api/access.ts';
import { searchAll } from '../../../api/client.ts';
import { organisationName, resolveOrganisations } from '../../../api/record.ts';
import { ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { describeAge, formatDate } from '../../../lib/dates.ts';
import { bannerName, NHS_NUMBER_SYSTEM, nhsNumberOf, refId } from '../../../lib/fhir-display.ts';
import { checkNhsNumber, formatNhsNumber } from '../../../lib/nhs-number.ts';

type Errors = Partial<Record<'nhs' | 'family' | 'birthdate', string>>;

interface Found {
  /** Patients whose record the caller may open. */
  patients: Patient[];
  /** When none: people a trace found (identity only) whose record is not shared with the caller. */
  traced: Patient[];
}

/** Patients matching a search, with the names of their practices ready to show; else a trace. */
async function findPatients(params: Record<string, string>, criteria: TraceCriteria): Promise<Found> {
  const { resources } = await searchAll<Patient>('Patient', { ...params, _count: '50' }, { maxPages: 1 });
  if (resources.length === 0) {
    // Nobody in the caller's view: a trace says whether the person exists, so that emergency access
    // can be asked for (H-220). A refused trace (not staff) is the same as finding nobody.
    return { patients: [], traced: await tracePatient(criteria).catch((): Patient[] => []) };
  }
  await resolveOrganisations(
    resources.map((p) => refId(p.generalPractitioner?.[0], 'Organization')).filter((id): id is string => Boolean(id)),
  );
  return { patients: resources, traced: [] };
}

/** A search as the page's address keeps it (`?nhs=…` or `?family=…&given=…&birthdate=…`), so Back shows it again. */
type Search = { by: 'nhs'; nhsNumber: string } | { by: 'name'; family: string; given: string; birthdate: string };

export function searchFromAddress(params: URLSearchParams): Search | undefined {
  const nhs = params.get('nhs');
  if (nhs && /^\d{10}$/.test(nhs)) {
    return { by: 'nhs', nhsNumber: nhs };
  }
  const family = params.get('family')?.trim();
  const birthdate = params.get('birthdate') ?? '';
  if (family && /^\d{4}-\d{2}-\d{2}$/.test(birthdate)) {
    return { by: 'name', family, given: params.get('given')?.trim() ?? '', birthdate };
  }
  return undefined;
}

function runSearch(search: Search): Promise<Found> {
  if (search.by === 'nhs') {
    return findPatients({ identifier: `${NHS_NUMBER_SYSTEM}|${search.nhsNumber}` }, { nhsNumber: search.nhsNumber });
  }
  const name = { family: search.family, ...(search.given ? { given: search.given } : {}) };
  return findPatients({ ...name, birthdate: search.birthdate }, { ...name, birthDate: search.birthdate });
}

const searchKey = (search: Search | undefined) => ['find-patient', search] as const;

/** Find a patient by NHS number, or by surname, first name and date of birth. */
export default function FindPatient() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [address, setAddress] = useSearchParams();
  const asked = searchFromAddress(address);
  const [nhsNumber, setNhsNumber] = useState(asked?.by === 'nhs' ? asked.nhsNumber : '');
  const [family, setFamily] = useState(asked?.by === 'name' ? asked.family : '');
  const [given, setGiven] = useState(asked?.by === 'name' ? asked.given : '');
  const born = asked?.by === 'name' ? asked.birthdate.split('-') : ['', '', ''];
  const [day, setDay] = useState(born[2] ? String(Number(born[2])) : '');
  const [month, setMonth] = useState(born[1] ? String(Number(born[1])) : '');
  const [year, setYear] = useState(born[0] ?? '');
  const [errors, setErrors] = useState<Errors>({});
  // The results of the search in the address: kept for a minute, so Back from a record shows them at once.
  const search = useQuery({
    queryKey: searchKey(asked),
    queryFn: () => runSearch(asked!),
    enabled: asked !== undefined,
    staleTime: 60_000,
  });
  const [opening, setOpening] = useState(false);
  const run = async (next: Search): Promise<void> => {
    if (next.by === 'nhs') {
      // One NHS-number match opens the record straight away; the address never holds that search, so
      // Back from the record returns to an empty form rather than opening the record again.
      setOpening(true);
      try {
        const found = await queryClient.fetchQuery({ queryKey: searchKey(next), queryFn: () => runSearch(next) });
        if (found.patients.length === 1) {
          void navigate(`/patients/${found.patients[0]!.id}`);
          return;
        }
      } catch {
        // The query in the address shows the error.
      } finally {
        setOpening(false);
      }
      setAddress({ nhs: next.nhsNumber });
      return;
    }
    setAddress({ family: next.family, ...(next.given ? { given: next.given } : {}), birthdate: next.birthdate });
  };

  const byNhsNumber = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkNhsNumber(nhsNumber);
    setErrors(checked.valid ? {} : { nhs: checked.error });
    if (checked.valid) {
      void run({ by: 'nhs', nhsNumber: checked.value });
    }
  };

  const byDemographics = (event: FormEvent): void => {
    event.preventDefault();
    const problems: Errors = {};
    if (!family.trim()) {
      problems.family = 'Enter the patient’s surname';
    }
    const birthdate = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    const parsed = new Date(`${birthdate}T12:00:00Z`);
    if (!day || !month || !year) {
      problems.birthdate = 'Enter the date of birth, including a day, month and year';
    } else if (
      Number.isNaN(parsed.getTime()) ||
      parsed.toISOString().slice(0, 10) !== birthdate ||
      Number(year) < 1880
    ) {
      problems.birthdate = 'Date of birth must be a real date';
    } else if (parsed.getTime() > Date.now()) {
      problems.birthdate = 'Date of birth must be in the past';
    }
    setErrors(problems);
    if (Object.keys(problems).length === 0) {
      void run({ by: 'name', family: family.trim(), given: given.trim(), birthdate });
    }
  };

  const errorList = Object.entries(errors).filter(([, message]) => message);
  return (
    <>
      <PageTitle>Find a patient</PageTitle>
      {errorList.length > 0 && (
        <div className="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabIndex={-1}>
          <h2 className="nhsuk-error-summary__title" id="error-summary-title">
            There is a problem
          </h2>
          <div className="nhsuk-error-summary__body">
            <ul className="nhsuk-list nhsuk-error-summary__list">
              {errorList.map(([field, message]) => (
                <li key={field}>
                  <a
                    href={`#${field === 'nhs' ? 'nhs-number' : field === 'family' ? 'family' : 'birthdate-day'}`}
                    data-external=""
                  >
                    {message}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="nhsuk-grid-row">
        <div className="nhsuk-grid-column-one-half">
          <form onSubmit={byNhsNumber} noValidate aria-labelledby="by-nhs-heading">
            <h2 className="nhsuk-heading-m" id="by-nhs-heading">
              By NHS number
            </h2>
            <TextInput
              id="nhs-number"
              name="nhs-number"
              label="NHS number"
              hint="10 digits, for example 943 476 5919"
              width={10}
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              value={nhsNumber}
              onChange={(e) => setNhsNumber(e.target.value)}
              error={errors.nhs}
            />
            <Button type="submit">Search by NHS number</Button>
          </form>
        </div>
        <div className="nhsuk-grid-column-one-half">
          <form onSubmit={byDemographics} noValidate aria-labelledby="by-name-heading">
            <h2 className="nhsuk-heading-m" id="by-name-heading">
              By name and date of birth
            </h2>
            <TextInput
              id="family"
              name="family"
              label="Surname"
              autoComplete="off"
              value={family}
              onChange={(e) => setFamily(e.target.value)}
              error={errors.family}
            />
            <TextInput
              id="given"
              name="given"
              label="First name (optional)"
              autoComplete="off"
              value={given}
              onChange={(e) => setGiven(e.target.value)}
            />
            <div className={`nhsuk-form-group${errors.birthdate ? ' nhsuk-form-group--error' : ''}`}>
              <fieldset
                className="nhsuk-fieldset"
                role="group"
                aria-describedby={`birthdate-hint${errors.birthdate ? ' birthdate-error' : ''}`}
              >
                <legend className="nhsuk-fieldset__legend nhsuk-label">Date of birth</legend>
                <div className="nhsuk-hint" id="birthdate-hint">
                  For example, 15 3 1984
                </div>
                {errors.birthdate && (
                  <span className="nhsuk-error-message" id="birthdate-error">
                    <span className="nhsuk-u-visually-hidden">Error:</span> {errors.birthdate}
                  </span>
                )}
                <div className="nhsuk-date-input" id="birthdate">
                  {(
                    [
                      ['day', 'Day', day, setDay, 2],
                      ['month', 'Month', month, setMonth, 2],
                      ['year', 'Year', year, setYear, 4],
                    ] as const
                  ).map(([part, label, value, set, width]) => (
                    <div className="nhsuk-date-input__item" key={part}>
                      <div className="nhsuk-form-group">
                        <label className="nhsuk-label nhsuk-date-input__label" htmlFor={`birthdate-${part}`}>
                          {label}
                        </label>
                        <input
                          className={`nhsuk-input nhsuk-date-input__input nhsuk-input--width-${width}${errors.birthdate ? ' nhsuk-input--error' : ''}`}
                          id={`birthdate-${part}`}
                          name={`birthdate-${part}`}
                          type="text"
                          inputMode="numeric"
                          autoComplete="off"
                          value={value}
                          onChange={(e) => set(e.target.value.replace(/\D/g, ''))}
                        />
                      </div>
                    </div>
                  ))}
                </div>
              </fieldset>
            </div>
            <Button type="submit" secondary>
              Search by name and date of birth
            </Button>
          </form>
        </div>
      </div>
      <section aria-live="polite">
        {(opening || (asked && search.isPending)) && <Loading what="patients" />}
        {search.isError && <ErrorMessage error={search.error} />}
        {asked && search.isSuccess && !opening && <Results found={search.data} by={asked.by} />}
      </section>
    </>
  );
}

function Results({ found, by }: { found: Found; by: string }) {
  const { patients, traced } = found;
  if (traced.length > 0) {
    return <Traced people={traced} />;
  }
  if (patients.length === 0) {
    return (
      <>
        <h2 className="nhsuk-heading-m">No patients found</h2>
        <p className="nhsuk-body">
          {by === 'nhs'
            ? 'No patient with this NHS number is in the shared record.'
            : 'Check the spelling of the name and the date of birth. You can also search by NHS number.'}
        </p>
      </>
    );
  }
  return (
    <>
      <h2 className="nhsuk-heading-m">
        {patients.length} {patients.length === 1 ? 'patient' : 'patients'} found
      </h2>
      <ul className="nhsuk-list cw-results">
        {patients.map((patient) => {
          const nhs = nhsNumberOf(patient);
          return (
            <li key={patient.id} className="nhsuk-card nhsuk-card--clickable nhsuk-u-margin-bottom-3">
              <div className="nhsuk-card__content">
                <h3 className="nhsuk-card__heading nhsuk-heading-s">
                  <a className="nhsuk-card__link" href={`/patients/${patient.id}`}>
                    {bannerName(patient.name)}
                  </a>
                </h3>
                <p className="nhsuk-card__description">
                  NHS number {nhs ? formatNhsNumber(nhs) : 'not recorded'} · Born {formatDate(patient.birthDate)}
                  {patient.birthDate ? ` (${describeAge(patient.birthDate)})` : ''} ·{' '}
                  {organisationName(refId(patient.generalPractitioner?.[0], 'Organization'))}
                </p>
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** People a trace found whose record is not shared with the caller: identity only, and the way to ask for more. */
function Traced({ people }: { people: Patient[] }) {
  return (
    <>
      <h2 className="nhsuk-heading-m">
        {people.length === 1
          ? 'This person’s record is not shared with you'
          : 'These people’s records are not shared with you'}
      </h2>
      <p className="nhsuk-body">
        A trace found {people.length === 1 ? 'this person' : 'these people'} by the details you gave. You see who they
        are, nothing of their record. If you need their record to care for them now, open it and ask for emergency
        access with your reason: it is recorded, your privacy officer is told, and the patient can see it. Your search
        is in their access log.
      </p>
      <ul className="nhsuk-list cw-results">
        {people.map((person) => {
          const nhs = nhsNumberOf(person);
          return (
            <li key={person.id} className="nhsuk-card nhsuk-card--clickable nhsuk-u-margin-bottom-3">
              <div className="nhsuk-card__content">
                <h3 className="nhsuk-card__heading nhsuk-heading-s">
                  <Link className="nhsuk-card__link" to={`/patients/${person.id}`} state={{ traced: person }}>
                    {bannerName(person.name)}
                  </Link>
                </h3>
                <p className="nhsuk-card__description">
                  NHS number {nhs ? formatNhsNumber(nhs) : 'not recorded'} · Born {formatDate(person.birthDate)}
                  {person.birthDate ? ` (${describeAge(person.birthDate)})` : ''} ·{' '}
                  <strong className="nhsuk-tag nhsuk-tag--grey">Not shared with you</strong>
                </p>
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
