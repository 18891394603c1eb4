import { PageTitle } from '../../components/PageTitle.tsx';

/** The accessibility statement (Public Sector Bodies Accessibility Regulations 2018). */
export function Accessibility() {
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <PageTitle>Accessibility statement for CareWeave</PageTitle>
        <p className="nhsuk-body">
          This statement applies to the CareWeave web app: the shared care record used by health and care staff in West
          Lancashire, and the patient portal used by patients and their carers.
        </p>
        <p className="nhsuk-body">We want as many people as possible to be able to use it. You should be able to:</p>
        <ul className="nhsuk-list nhsuk-list--bullet">
          <li>change colours, contrast levels and fonts using your browser or device settings</li>
          <li>zoom in up to 400% without the text spilling off the screen</li>
          <li>get around the whole app using just a keyboard</li>
          <li>
            use it with a screen reader (including recent versions of JAWS, NVDA and VoiceOver) and with speech
            recognition software
          </li>
          <li>read every chart as a table as well</li>
        </ul>
        <h2 className="nhsuk-heading-m">How accessible this app is</h2>
        <p className="nhsuk-body">
          The app is built with the NHS.UK design system. Every key page is checked automatically against the Web
          Content Accessibility Guidelines (WCAG) 2.2 at levels A and AA each time the software changes, and tested with
          a keyboard.
        </p>
        <p className="nhsuk-body">We know some parts are not fully accessible yet:</p>
        <ul className="nhsuk-list nhsuk-list--bullet">
          <li>the trend charts are pictures of the numbers; the same numbers are in the tables under each chart</li>
          <li>documents that organisations attach to your record (such as scanned letters) may not be accessible</li>
        </ul>
        <h2 className="nhsuk-heading-m">Feedback and contact information</h2>
        <p className="nhsuk-body">
          If you need information in a different format, such as large print, easy read, audio or braille, or you find a
          problem, contact your GP practice or the CareWeave team at{' '}
          <a href="mailto:careweave@example.com">careweave@example.com</a>. We will reply within 5 working days.
        </p>
        <h2 className="nhsuk-heading-m">Enforcement procedure</h2>
        <p className="nhsuk-body">
          The Equality and Human Rights Commission (EHRC) is responsible for enforcing the accessibility regulations. If
          you are not happy with how we respond to your complaint, contact the Equality Advisory and Support Service
          (EASS).
        </p>
        <h2 className="nhsuk-heading-m">Compliance status</h2>
        <p className="nhsuk-body">
          This app is partially compliant with WCAG version 2.2 AA standard, because of the items listed above.
        </p>
        <p className="nhsuk-body">This statement was prepared on 25 November 2026.</p>
      </div>
    </div>
  );
}
