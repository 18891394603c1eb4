import type { Patient } from '@medplum/fhirtypes';
import { describeAge, formatDate } from '../../../lib/dates.ts';
import { bannerName, nhsNumberOf } from '../../../lib/fhir-display.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';

/** Who the page is about, in the record's banner style (under the page's own heading). */
export function PatientDetails({ patient }: { patient: Patient }) {
  const nhs = nhsNumberOf(patient);
  return (
    <section className="cw-banner" aria-labelledby="patient-name">
      <h2 className="cw-banner__name nhsuk-heading-m" id="patient-name">
        {bannerName(patient.name)}
      </h2>
      <dl className="cw-banner__facts">
        <div>
          <dt>NHS number</dt>
          <dd className="cw-nhs-number">{nhs ? formatNhsNumber(nhs) : 'Not recorded'}</dd>
        </div>
        <div>
          <dt>Date of birth</dt>
          <dd>
            {formatDate(patient.birthDate)}
            {patient.birthDate ? ` (${describeAge(patient.birthDate)})` : ''}
          </dd>
        </div>
      </dl>
    </section>
  );
}
