import type { Patient, RelatedPerson } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { fhirGet } from '../../../api/client.ts';
import { actFor, useSession } from '../../../auth/session.ts';
import { Empty } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { describeAge, formatDate } from '../../../lib/dates.ts';
import { displayName, refId } from '../../../lib/fhir-display.ts';

/** A carer chooses which of the people they care for to act for. */
/** Each person the carer cares for, and what the carer may see of them (the Patient may be refused). */
async function loadPeople(relatedPersonIds: string[]) {
  return Promise.all(
    relatedPersonIds.map(async (id) => {
      const relation = await fhirGet<RelatedPerson>(`RelatedPerson/${id}`);
      const patientId = refId(relation.patient, 'Patient')!;
      const patient = await fhirGet<Patient>(`Patient/${patientId}`).catch(() => undefined);
      return { relation, patientId, patient };
    }),
  );
}

export default function ChoosePerson() {
  const session = useSession();
  const navigate = useNavigate();
  const ids = session?.kind === 'related-person' ? session.relatedPersonIds : [];
  const [chosen, setChosen] = useState(
    session?.kind === 'related-person' ? (session.actingFor?.relatedPersonId ?? '') : '',
  );
  const [problem, setProblem] = useState<string>();
  const people = useQuery({ queryKey: ['cared-for', ...ids], queryFn: () => loadPeople(ids) });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const person = people.data?.find((p) => p.relation.id === chosen);
    if (!person) {
      setProblem('Choose the person you want to act for');
      return;
    }
    // A new person: query-client.ts drops every cached answer about the last one.
    actFor({
      patientId: person.patientId,
      relatedPersonId: person.relation.id!,
      name: person.patient ? displayName(person.patient.name) : 'the person you care for',
    });
    void navigate('/my');
  };

  return (
    <>
      <PageTitle>Who are you acting for?</PageTitle>
      <p className="nhsuk-body">
        You can see and do what each person has allowed you to. Everything you do is recorded in their name and yours.
      </p>
      <QueryStatus query={people} what="the people you care for" />
      {people.status === 'success' &&
        (people.data.length === 0 ? (
          <Empty>Nobody has added you as their carer yet.</Empty>
        ) : (
          <form onSubmit={submit} noValidate>
            <div className={`nhsuk-form-group${problem ? ' nhsuk-form-group--error' : ''}`}>
              <fieldset className="nhsuk-fieldset" aria-describedby={problem ? 'person-error' : undefined}>
                <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Choose a person</legend>
                {problem && (
                  <span className="nhsuk-error-message" id="person-error">
                    <span className="nhsuk-u-visually-hidden">Error:</span> {problem}
                  </span>
                )}
                <div className="nhsuk-radios">
                  {people.data.map(({ relation, patient }) => (
                    <div className="nhsuk-radios__item" key={relation.id}>
                      <input
                        className="nhsuk-radios__input"
                        id={`person-${relation.id}`}
                        name="person"
                        type="radio"
                        value={relation.id}
                        checked={chosen === relation.id}
                        onChange={() => setChosen(relation.id!)}
                        aria-describedby={`person-${relation.id}-hint`}
                      />
                      <label className="nhsuk-label nhsuk-radios__label" htmlFor={`person-${relation.id}`}>
                        {patient ? displayName(patient.name) : 'Someone who has added you as a carer'}
                      </label>
                      <div className="nhsuk-hint nhsuk-radios__hint" id={`person-${relation.id}-hint`}>
                        {patient?.birthDate
                          ? `Born ${formatDate(patient.birthDate)} (${describeAge(patient.birthDate)})`
                          : 'You cannot see their details'}
                        {relation.relationship?.[0]?.text ? ` · ${relation.relationship[0].text}` : ''}
                      </div>
                    </div>
                  ))}
                </div>
              </fieldset>
            </div>
            <Button type="submit">Continue</Button>
          </form>
        ))}
    </>
  );
}
