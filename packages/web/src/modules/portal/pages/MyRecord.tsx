import type { Resource } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import {
  organisationName,
  recordQuery,
  organisationType,
  sourceOrganisationId,
  type PatientRecord,
} from '../../../api/record.ts';
import { useSession } from '../../../auth/session.ts';
import { Empty } from '../../../components/feedback.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDate } from '../../../lib/dates.ts';
import { shownInRecord, statusWord } from '../../../lib/record-items.ts';
import {
  displayName,
  KIND_LABEL,
  nhsNumberOf,
  resourceDate,
  resourceTime,
  resourceTitle,
} from '../../../lib/fhir-display.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import { RecordOverview } from '../RecordOverview.tsx';
import { observationName, observationValue } from '../../../lib/observations.ts';

const TYPE_NAMES: Record<string, string> = {
  'gp-practice': 'GP practice',
  'acute-trust': 'Hospital',
  community: 'Community health services',
  'mental-health': 'Mental health services',
  'social-care': 'Social care',
  ambulance: 'Ambulance service',
  'voluntary-sector': 'Voluntary organisation',
  'care-home': 'Care home',
  'non-nhs-app': 'App',
  commissioner: 'NHS commissioner',
};

/** My record, grouped by the organisation that holds each part of it. */
export default function MyRecord({ patientId }: { patientId: string }) {
  const session = useSession();
  const record = useQuery(recordQuery(patientId));
  const forSomeoneElse = session?.kind === 'related-person';
  if (record.status !== 'success') {
    return <QueryStatus query={record} what="the record" errorTitle="The record could not be loaded" />;
  }
  const { patient } = record.data;
  const nhs = nhsNumberOf(patient);
  return (
    <>
      <PageTitle
        caption={forSomeoneElse ? `Acting for ${displayName(patient.name)}` : undefined}
        title={forSomeoneElse ? 'Their record' : 'Your record'}
      >
        {forSomeoneElse ? `${displayName(patient.name)}’s record` : 'Your record'}
      </PageTitle>
      <p className="nhsuk-body">
        NHS number {nhs ? formatNhsNumber(nhs) : 'not recorded'} · Born {formatDate(patient.birthDate)}
      </p>
      <RecordOverview record={record.data} whose={forSomeoneElse ? 'their' : 'your'} />
      <h2 className="nhsuk-heading-m">Where {forSomeoneElse ? 'their' : 'your'} record comes from</h2>
      <p className="nhsuk-body">
        Each organisation that cares for {forSomeoneElse ? 'them' : 'you'} keeps its own record. This is what each of
        them has shared{forSomeoneElse ? ' that you have been allowed to see' : ''}.
      </p>
      <ByOrganisation record={record.data} />
    </>
  );
}

function ByOrganisation({ record }: { record: PatientRecord }) {
  const groups = useMemo(() => {
    const byOrg = new Map<string, Resource[]>();
    for (const resource of record.resources) {
      if (!KIND_LABEL[resource.resourceType] || !shownInRecord(resource)) {
        continue;
      }
      const org = sourceOrganisationId(resource, record) ?? '';
      byOrg.set(org, [...(byOrg.get(org) ?? []), resource]);
    }
    return [...byOrg.entries()]
      .map(([org, resources]) => ({ org, resources: resources.sort((a, b) => resourceTime(b) - resourceTime(a)) }))
      .sort((a, b) => b.resources.length - a.resources.length);
  }, [record]);
  if (groups.length === 0) {
    return <Empty>No organisation has shared anything yet.</Empty>;
  }
  return (
    <>
      {groups.map(({ org, resources }) => {
        const kinds = new Map<string, Resource[]>();
        for (const resource of resources) {
          const label = KIND_LABEL[resource.resourceType]!;
          kinds.set(label, [...(kinds.get(label) ?? []), resource]);
        }
        const type = organisationType(org);
        return (
          <section key={org} className="nhsuk-card" aria-labelledby={`org-${org}`}>
            <div className="nhsuk-card__content">
              <h3 className="nhsuk-card__heading nhsuk-heading-m" id={`org-${org}`}>
                {organisationName(org || undefined)}
              </h3>
              {type && <p className="nhsuk-body-s cw-muted">{TYPE_NAMES[type] ?? type}</p>}
              {[...kinds.entries()].map(([label, items]) => (
                <details className="nhsuk-details nhsuk-u-margin-bottom-2" key={label}>
                  <summary className="nhsuk-details__summary">
                    <span className="nhsuk-details__summary-text">
                      {label} ({items.length})
                    </span>
                  </summary>
                  <div className="nhsuk-details__text">
                    <ul className="nhsuk-list nhsuk-list--border">
                      {items.slice(0, 50).map((item) => (
                        <li key={`${item.resourceType}/${item.id}`}>
                          {item.resourceType === 'Observation'
                            ? `${observationName(item)}: ${observationValue(item)}`
                            : resourceTitle(item)}{' '}
                          {statusWord(item) && (
                            <strong className="nhsuk-tag nhsuk-tag--grey cw-tag-s">{statusWord(item)}</strong>
                          )}{' '}
                          <span className="cw-muted">· {formatDate(resourceDate(item))}</span>
                        </li>
                      ))}
                    </ul>
                    {items.length > 50 && <p className="nhsuk-body-s">And {items.length - 50} earlier.</p>}
                  </div>
                </details>
              ))}
            </div>
          </section>
        );
      })}
    </>
  );
}
