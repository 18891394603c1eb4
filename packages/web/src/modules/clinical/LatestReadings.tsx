import type { Observation } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { searchAll } from '../../api/client.ts';
import { formatDate } from '../../lib/dates.ts';
import { LOINC } from '../../lib/fhir-display.ts';
import { EGFR_CODES, isBloodPressure, observationValue } from '../../lib/observations.ts';

const CODES = [LOINC.bloodPressure, ...EGFR_CODES].map((code) => `http://loinc.org|${code}`).join(',');

/** The newest blood pressure and eGFR of a patient (what a prescriber checks before issuing a repeat). */
async function latestReadings(patientId: string) {
  const { resources } = await searchAll<Observation>(
    'Observation',
    { subject: `Patient/${patientId}`, code: CODES, _sort: '-date', _count: '20' },
    { maxPages: 1 },
  );
  return {
    bloodPressure: resources.find(isBloodPressure),
    egfr: resources.find((o) => o.code?.coding?.some((c) => EGFR_CODES.includes(c.code ?? ''))),
  };
}

function Reading({ label, observation }: { label: string; observation?: Observation }) {
  return (
    <div className="nhsuk-summary-list__row">
      <dt className="nhsuk-summary-list__key">{label}</dt>
      <dd className="nhsuk-summary-list__value">
        {observation
          ? `${observationValue(observation)} (${formatDate(observation.effectiveDateTime ?? observation.issued)})`
          : 'None recorded'}
      </dd>
    </div>
  );
}

/** Latest blood pressure and kidney function, beside a repeat request; the record is a link away. */
export function LatestReadings({ patientId }: { patientId: string }) {
  const readings = useQuery({ queryKey: ['latest-readings', patientId], queryFn: () => latestReadings(patientId) });
  if (readings.status === 'pending') {
    return <p className="nhsuk-body-s cw-muted">Loading the latest readings…</p>;
  }
  if (readings.status === 'error') {
    return <p className="nhsuk-body-s cw-muted">The latest readings could not be loaded.</p>;
  }
  return (
    <dl className="nhsuk-summary-list nhsuk-u-margin-bottom-3" aria-label="Latest readings">
      <Reading label="Blood pressure" observation={readings.data.bloodPressure} />
      <Reading label="eGFR" observation={readings.data.egfr} />
    </dl>
  );
}
