import { useQuery } from '@tanstack/react-query';
import type { Task } from '@medplum/fhirtypes';
import { Empty } from '../../components/feedback.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { pathwaysQuery, type ReferralRecord } from './api.ts';
import { answerText } from './form-model.ts';
import { PathwayPanel } from './PathwayPanel.tsx';
import { reasonName, slotTime, statusName } from './vocabulary.ts';

const STATUS_SYSTEM = 'https://careweave.example/fhir/CodeSystem/referral-business-status';

const businessStatusOf = (task: Task): string | undefined =>
  task.businessStatus?.coding?.find((c) => c.system === STATUS_SYSTEM)?.code;

/** The referral's FHIR record: reason and form answers, pathway followed, Task history, appointments, letters. */
export function ReferralRecordSections({
  record,
  specialty,
}: {
  record: ReferralRecord;
  specialty: string | undefined;
}) {
  const pathwayId = record.request.instantiatesCanonical?.find((c) => c.startsWith('PlanDefinition/'))?.split('/')[1];
  const pathways = useQuery({ ...pathwaysQuery(specialty ?? '', true), enabled: !!pathwayId && !!specialty });
  const pathway = pathways.data?.pathways.find((p) => p.id === pathwayId);
  // Oldest first: each version of the Task is a step in the referral's history.
  const history = [...record.history].sort((a, b) =>
    (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? ''),
  );
  return (
    <>
      <h2 className="nhsuk-heading-m">Reason and form</h2>
      <p className="nhsuk-body">{record.request.reasonCode?.[0]?.text}</p>
      {record.form ? (
        <dl className="nhsuk-summary-list">
          {(record.form.item ?? []).map((item) => (
            <div className="nhsuk-summary-list__row" key={item.linkId}>
              <dt className="nhsuk-summary-list__key">{item.text ?? item.linkId}</dt>
              <dd className="nhsuk-summary-list__value">
                {(item.answer ?? []).map((answer, index) =>
                  answer.valueAttachment?.data && answer.valueAttachment.contentType?.startsWith('image/') ? (
                    <img
                      key={index}
                      className="cw-referral-photo"
                      src={`data:${answer.valueAttachment.contentType};base64,${answer.valueAttachment.data}`}
                      alt={`Photograph attached to the referral: ${answer.valueAttachment.title ?? 'lesion'}`}
                    />
                  ) : (
                    <span key={index} className="cw-answer">
                      {answerText(answer)}
                    </span>
                  ),
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <Empty>No referral form is attached.</Empty>
      )}
      {pathway && <PathwayPanel pathway={pathway} />}
      <h2 className="nhsuk-heading-m">History</h2>
      {history.length === 0 ? (
        <Empty>Not sent yet: no provider has it.</Empty>
      ) : (
        <ol className="nhsuk-list nhsuk-list--number cw-referral-history">
          {history.map((task) => (
            <li key={task.meta?.versionId}>
              <strong>{statusName(businessStatusOf(task))}</strong> — {formatDateTime(task.meta?.lastUpdated)}
              {task.statusReason && businessStatusOf(task) !== 'booked'
                ? ` (${reasonName(task.statusReason.coding?.[0]?.code)})`
                : ''}
            </li>
          ))}
        </ol>
      )}
      <h2 className="nhsuk-heading-m">Appointments</h2>
      {record.appointments.length === 0 ? (
        <Empty>No appointments.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {record.appointments.map((a) => (
            <li key={a.id}>
              {slotTime(a.start)} — {a.status}
              {a.participant?.find((p) => p.actor?.reference?.startsWith('HealthcareService/'))?.actor?.display
                ? `, ${a.participant.find((p) => p.actor?.reference?.startsWith('HealthcareService/'))!.actor!.display!}`
                : ''}
            </li>
          ))}
        </ul>
      )}
      <h2 className="nhsuk-heading-m">Letters to the patient</h2>
      {record.letters.length === 0 ? (
        <Empty>No letters.</Empty>
      ) : (
        record.letters.map((letter) => (
          <div key={letter.id} className="nhsuk-inset-text cw-letter">
            <p className="nhsuk-body-s">Sent {formatDateTime(letter.sent)}</p>
            {letter.payload?.[0]?.contentString}
          </div>
        ))
      )}
    </>
  );
}
