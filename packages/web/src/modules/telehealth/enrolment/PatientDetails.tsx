import type { Patient } from '@medplum/fhirtypes';
import { IdentityFacts } from '../../../components/IdentityFacts.tsx';
import { bannerName } from '../../../lib/fhir-display.ts';

/** Who the page is about, in the record's banner style (under the page's own heading). */
export function PatientDetails({ patient }: { patient: Patient }) {
  return (
    <section className="cw-banner" aria-labelledby="patient-name">
      <h2 className="cw-banner__name nhsuk-heading-m" id="patient-name">
        {bannerName(patient.name)}
      </h2>
      <dl className="cw-banner__facts">
        <IdentityFacts patient={patient} />
      </dl>
    </section>
  );
}
