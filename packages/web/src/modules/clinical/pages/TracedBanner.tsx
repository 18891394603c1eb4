import type { Patient } from '@medplum/fhirtypes';
import { IdentityFacts } from '../../../components/IdentityFacts.tsx';
import { bannerName } from '../../../lib/fhir-display.ts';

/**
 * Who a withheld record belongs to, from the trace that found them (identity only, `Patient/$match`):
 * so that a clinician asking for emergency access can see they have the right person.
 */
export function TracedBanner({ person }: { person: Patient }) {
  return (
    <section className="cw-banner" aria-label="Patient details">
      <h1 className="cw-banner__name nhsuk-heading-l" id="patient-name">
        {bannerName(person.name)}
      </h1>
      <dl className="cw-banner__facts">
        <IdentityFacts patient={person} />
        <div>
          <dt>Record</dt>
          <dd>
            <strong className="nhsuk-tag nhsuk-tag--grey">Not shared with you</strong>
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The traced person a find-a-patient result passed with its link, if it is this patient. */
export function tracedFrom(state: unknown, patientId: string): Patient | undefined {
  const traced = (state as { traced?: Patient } | null)?.traced;
  return traced?.resourceType === 'Patient' && traced.id === patientId ? traced : undefined;
}
