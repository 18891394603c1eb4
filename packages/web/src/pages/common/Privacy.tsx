import { PageTitle } from '../../components/PageTitle.tsx';

export function Privacy() {
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <PageTitle>How your information is used</PageTitle>
        <p className="nhsuk-body">
          CareWeave joins up the records that your GP practice, the hospital, community and mental health services,
          social care and some voluntary organisations keep about you, so that the people caring for you can see what
          they need.
        </p>
        <ul className="nhsuk-list nhsuk-list--bullet">
          <li>
            Staff only see your record when they are involved in your care, and only what the organisations have agreed
            to share.
          </li>
          <li>
            Sensitive information, such as mental health, is only shared with the team treating you, and you can stop
            that. Sexual health information is only shared where you have agreed.
          </li>
          <li>
            You can stop an organisation, team or person seeing your record, or some parts of it, on the sharing page.
          </li>
          <li>
            In an emergency a clinician can open your record without a normal reason to (this is called break-glass).
            They must give a reason, and it is shown to you on the page that lists who has looked at your record.
          </li>
        </ul>
      </div>
    </div>
  );
}
