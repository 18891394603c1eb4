import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Empty } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { enrolmentsQuery, patientQuery } from '../enrolment/api.ts';
import { mobileOf } from '../enrolment/careplan.ts';
import { EnrolForm } from '../enrolment/EnrolForm.tsx';
import { Enrolled } from '../enrolment/Enrolled.tsx';
import { EnrolmentStatus } from '../enrolment/EnrolmentStatus.tsx';
import { PatientDetails } from '../enrolment/PatientDetails.tsx';
import { protocolsInFullQuery } from '../protocols/api.ts';

/** `/telehealth/enrol?patient={id}`: a practice nurse enrols a patient on a telehealth protocol. */
export default function Enrol() {
  const [params] = useSearchParams();
  const patientId = params.get('patient') ?? '';
  return (
    <>
      <PageTitle caption="Telehealth by text message">Enrol a patient</PageTitle>
      {patientId ? (
        <EnrolPatient key={patientId} patientId={patientId} />
      ) : (
        <Empty>
          Open the patient’s record first (<a href="/find">find a patient</a>), then choose “Enrol on telehealth”.
        </Empty>
      )}
    </>
  );
}

function EnrolPatient({ patientId }: { patientId: string }) {
  const patient = useQuery(patientQuery(patientId));
  const protocols = useQuery(protocolsInFullQuery);
  const enrolments = useQuery(enrolmentsQuery(patientId));
  const [enrolled, setEnrolled] = useState<{ carePlanId: string; protocolId: string }>();
  if (patient.status !== 'success') {
    return <QueryStatus query={patient} what="the patient" errorTitle="The patient could not be loaded" />;
  }
  if (protocols.status !== 'success') {
    return <QueryStatus query={protocols} what="the protocols" errorTitle="The protocols could not be loaded" />;
  }
  const mobile = mobileOf(patient.data);
  const titleOf = (id: string): string => protocols.data.find((p) => p.id === id)?.title ?? id;
  const current = (enrolments.data ?? []).filter((e) => e.status === 'active' || e.status === 'paused');
  const back = (
    <p className="nhsuk-body">
      <a href={`/patients/${patientId}`}>Back to the patient’s record</a>
    </p>
  );
  if (enrolled) {
    return (
      <>
        <PatientDetails patient={patient.data} />
        {back}
        <Enrolled patientId={patientId} carePlanId={enrolled.carePlanId} title={titleOf(enrolled.protocolId)} />
      </>
    );
  }
  const header = (
    <>
      <PatientDetails patient={patient.data} />
      {back}
      {current.map((enrolment) => (
        <section key={enrolment.carePlan} aria-label={`Already enrolled: ${titleOf(enrolment.protocol.id)}`}>
          <h2 className="nhsuk-heading-m">Already enrolled</h2>
          <EnrolmentStatus enrolment={enrolment} title={titleOf(enrolment.protocol.id)} />
          <p className="nhsuk-body">
            <a href={`/telehealth/enrolments/${enrolment.carePlan.replace('CarePlan/', '')}`}>Manage this enrolment</a>
          </p>
        </section>
      ))}
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Mobile number for texts</dt>
          <dd className="nhsuk-summary-list__value">{mobile ?? 'None recorded'}</dd>
        </div>
      </dl>
    </>
  );
  if (!mobile) {
    return (
      <>
        {header}
        <div className="nhsuk-warning-callout">
          <h2 className="nhsuk-warning-callout__label">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>
              Add a mobile number first
            </span>
          </h2>
          <p>
            The patient’s record has no UK mobile number, so they cannot get texts. Add their mobile number to their
            record (in the practice’s clinical system), then enrol them.
          </p>
        </div>
      </>
    );
  }
  return (
    <EnrolForm
      patient={patient.data}
      protocols={protocols.data}
      enrolledOn={current.map((e) => e.protocol.id)}
      header={header}
      onEnrolled={setEnrolled}
    />
  );
}
