import { formatDate } from '../../../lib/dates.ts';
import type { ReferralLetter } from './api.ts';

/**
 * Letters about referrals the service did not accept (rejected, or returned to the GP with advice):
 * the text the server wrote in plain English from the coded reason, shown as written, one paragraph
 * per blank line.
 */
export function ReferralLetters({ letters }: { letters: readonly ReferralLetter[] }) {
  return (
    <section aria-labelledby="letters-heading">
      <h2 className="nhsuk-heading-m" id="letters-heading">
        Letters about your referrals
      </h2>
      {letters.length === 0 ? (
        <p className="nhsuk-body">You have no letters about your referrals.</p>
      ) : (
        letters.map((letter) => (
          <article key={letter.id} className="nhsuk-card cw-referral-letter" aria-labelledby={`letter-${letter.id}`}>
            <div className="nhsuk-card__content">
              <h3 className="nhsuk-card__heading nhsuk-heading-s" id={`letter-${letter.id}`}>
                Letter of {formatDate(letter.sent)}
              </h3>
              {letter.ubrn && (
                <p className="nhsuk-body-s">
                  Booking reference: <span className="cw-nowrap">{letter.ubrn.replace(/(\d{4})(?=\d)/g, '$1 ')}</span>
                </p>
              )}
              {letter.text
                .split(/\n\s*\n/)
                .filter((paragraph) => paragraph.trim())
                .map((paragraph, i) => (
                  <p key={i} className="nhsuk-body">
                    {paragraph}
                  </p>
                ))}
            </div>
          </article>
        ))
      )}
    </section>
  );
}
