import type { Patient } from '@medplum/fhirtypes';
import { useMutation } from '@tanstack/react-query';
import { Button, TextInput } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { searchAll } from '../../../api/client.ts';
import { organisationName, resolveOrganisations } from '../../../api/record.ts';
import { ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { describeAge, formatDate } from '../../../lib/dates.ts';
import { bannerName, NHS_NUMBER_SYSTEM, nhsNumberOf, refId } from '../../../lib/fhir-display.ts';
import { checkNhsNumber, formatNhsNumber } from '../../../lib/nhs-number.ts';

type Errors = Partial<Record<'nhs' | 'family' | 'birthdate', string>>;

/** Patients matching a search, with the names of their practices ready to show. */
async function findPatients(params: Record<string, string>): Promise<Patient[]> {
  const { resources } = await searchAll<Patient>('Patient', { ...params, _count: '50' }, { maxPages: 1 });
  await resolveOrganisations(
    resources.map((p) => refId(p.generalPractitioner?.[0], 'Organization')).filter((id): id is string => Boolean(id)),
  );
  return resources;
}

/** Find a patient by NHS number, or by surname, first name and date of birth. */
export default function FindPatient() {
  const navigate = useNavigate();
  const [nhsNumber, setNhsNumber] = useState('');
  const [family, setFamily] = useState('');
  const [given, setGiven] = useState('');
  const [day, setDay] = useState('');
  const [month, setMonth] = useState('');
  const [year, setYear] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  // A mutation, not a query: a search runs when asked, and its one NHS-number match opens the record;
  // there is nothing to keep fresh or share with other pages.
  const search = useMutation({
    mutationFn: ({ params }: { params: Record<string, string>; by: 'nhs' | 'name' }) => findPatients(params),
    onSuccess: (patients, { by }) => {
      if (patients.length === 1 && by === 'nhs') {
        void navigate(`/patients/${patients[0]!.id}`);
      }
    },
  });
  const run = (params: Record<string, string>, by: 'nhs' | 'name'): void => search.mutate({ params, by });

  const byNhsNumber = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkNhsNumber(nhsNumber);
    setErrors(checked.valid ? {} : { nhs: checked.error });
    if (checked.valid) {
      run({ identifier: `${NHS_NUMBER_SYSTEM}|${checked.value}` }, 'nhs');
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
      run({ family: family.trim(), ...(given.trim() ? { given: given.trim() } : {}), birthdate }, 'name');
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
        {search.isPending && <Loading what="patients" />}
        {search.isError && <ErrorMessage error={search.error} />}
        {search.isSuccess && !(search.data.length === 1 && search.variables.by === 'nhs') && (
          <Results patients={search.data} by={search.variables.by} />
        )}
      </section>
    </>
  );
}

function Results({ patients, by }: { patients: Patient[]; by: string }) {
  if (patients.length === 0) {
    return (
      <>
        <h2 className="nhsuk-heading-m">No patients found</h2>
        <p className="nhsuk-body">
          {by === 'nhs'
            ? 'No patient with this NHS number is in the shared record, or their record is not shared with your organisation.'
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
