import type { Composition, Patient } from '@medplum/fhirtypes';
import { IdentityFacts } from '../../components/IdentityFacts.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { displayName } from '../../lib/fhir-display.ts';
import './care-profile.css';
import { profileSections } from './profile.ts';

/**
 * The profile as a document, on screen and on one printed page: who it is about (name, NHS number,
 * date of birth: on paper too, so it cannot be taken for someone else's), when it was last brought
 * up to date, then its sections — DNACPR and ReSPECT first and marked out. Lines are shown as text,
 * never as the server's HTML.
 */
export function ProfileDocument({ profile, patient }: { profile: Composition; patient?: Patient }) {
  const sections = profileSections(profile);
  return (
    <article className="cw-profile" aria-label="Core personal profile">
      <dl className="cw-profile__who">
        <div>
          <dt>Name</dt>
          <dd>{patient ? displayName(patient.name) : 'Not known'}</dd>
        </div>
        {patient && <IdentityFacts patient={patient} />}
        <div>
          <dt>Up to date with the record on</dt>
          <dd>
            {formatDateTime(profile.date)}
            {profile.meta?.versionId ? ` (version ${profile.meta.versionId})` : ''}
          </dd>
        </div>
      </dl>
      <p className="cw-profile__notice">
        Made from the shared care record and kept up to date with it. It shows only what you may see of the record, so
        it may not be complete: check the record and ask the person.
      </p>
      <div className="cw-profile__sections">
        {sections.map((section) => (
          <section
            key={section.key}
            className={`cw-profile__section cw-profile__section--${section.key}`}
            aria-labelledby={`cw-profile-${section.key}`}
          >
            <h2 className="nhsuk-heading-s" id={`cw-profile-${section.key}`}>
              {section.title}
            </h2>
            {section.lines.length ? (
              <ul className="nhsuk-list nhsuk-list--bullet">
                {section.lines.map((line, i) => (
                  <li key={i}>{line}</li>
                ))}
              </ul>
            ) : (
              <p className="nhsuk-body-s">{section.empty}</p>
            )}
          </section>
        ))}
      </div>
    </article>
  );
}

/** Prints the page (the print stylesheet keeps the profile to one page and leaves out the rest). */
export function PrintButton() {
  return (
    <button type="button" className="nhsuk-button nhsuk-button--secondary cw-no-print" onClick={() => window.print()}>
      Print the profile
    </button>
  );
}
