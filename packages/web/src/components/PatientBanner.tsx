import type { Flag, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { organisationName, type PatientRecord } from '../api/record.ts';
import { bannerName, conceptText, refId } from '../lib/fhir-display.ts';
import { withheldFromOnlineView } from '../lib/online-view.ts';
import { IdentityFacts } from './IdentityFacts.tsx';
import { NotOnlineTag } from './RecordTable.tsx';

/** Who this record is about: always at the top of a patient's pages. */
export function PatientBanner({ record }: { record: PatientRecord }) {
  const { patient } = record;
  const practice = refId(
    patient.generalPractitioner?.find((g) => refId(g, 'Organization')),
    'Organization',
  );
  // The moment the banner is first shown: alerts that end while it is open stay until the next visit.
  const [now] = useState(Date.now);
  const alerts = ((record.byType.get('Flag') ?? []) as Flag[]).filter(
    (flag) => flag.status === 'active' && (!flag.period?.end || Date.parse(flag.period.end) > now),
  );
  return (
    <section className="cw-banner" aria-label="Patient details">
      <h1 className="cw-banner__name nhsuk-heading-l" id="patient-name">
        {bannerName(patient.name)}
      </h1>
      <dl className="cw-banner__facts">
        <IdentityFacts patient={patient} />
        <div>
          <dt>Gender</dt>
          <dd>{patient.gender ? patient.gender[0]!.toUpperCase() + patient.gender.slice(1) : 'Not recorded'}</dd>
        </div>
        <div>
          <dt>Address</dt>
          <dd>{homeAddress(patient) ?? 'Not recorded'}</dd>
        </div>
        <div>
          <dt>Phone</dt>
          <dd>{phoneOf(patient) ?? 'Not recorded'}</dd>
        </div>
        <div>
          <dt>Registered GP practice</dt>
          <dd>{practice ? organisationName(practice) : 'Not registered'}</dd>
        </div>
      </dl>
      {alerts.length > 0 && (
        <div className="cw-banner__alerts" role="region" aria-label="Alerts">
          <h2 className="nhsuk-heading-xs nhsuk-u-margin-bottom-1">Alerts</h2>
          <ul className="nhsuk-list nhsuk-u-margin-bottom-0">
            {alerts.map((flag) => (
              <li key={flag.id}>
                <strong className="nhsuk-tag nhsuk-tag--red">Alert</strong> {conceptText(flag.code)}
                {withheldFromOnlineView(flag) && (
                  <span className="cw-item-tags">
                    <NotOnlineTag />
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The current home address on one line ("12 Church Road, Ormskirk, L39 2AB"). */
export function homeAddress(patient: Patient): string | undefined {
  const current = (patient.address ?? []).filter((a) => !a.period?.end && a.use !== 'old');
  const address = current.find((a) => a.use === 'home') ?? current[0];
  if (!address) {
    return undefined;
  }
  const parts = address.text ? [address.text] : [...(address.line ?? []), address.city, address.postalCode];
  return parts.filter(Boolean).join(', ') || undefined;
}

/** The number to call: a mobile first, then home, then any phone. */
export function phoneOf(patient: Patient): string | undefined {
  const phones = (patient.telecom ?? []).filter((t) => t.system === 'phone' && t.value && !t.period?.end);
  const best = phones.find((t) => t.use === 'mobile') ?? phones.find((t) => t.use === 'home') ?? phones[0];
  return best ? `${best.value}${best.use === 'mobile' ? ' (mobile)' : ''}` : undefined;
}
