import type { Patient } from '@medplum/fhirtypes';
import { describeAge, formatDate } from '../lib/dates.ts';
import { nhsNumberOf } from '../lib/fhir-display.ts';
import { formatNhsNumber } from '../lib/nhs-number.ts';

/** The two facts that tell patients apart in every banner: NHS number and date of birth (with age). */
export function IdentityFacts({ patient }: { patient: Patient }) {
  const nhs = nhsNumberOf(patient);
  return (
    <>
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
    </>
  );
}
