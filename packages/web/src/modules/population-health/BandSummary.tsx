import type { Band, Count } from './api.ts';
import { BandTag } from './BandTag.tsx';
import { BANDS } from './filters.ts';
import { BAND_TEXT, peopleText } from './format.ts';

/**
 * How many people are in each band, as NHS.UK cards; each links to the list filtered to that band,
 * and says what the band means so no one has to know the model to read it.
 */
export function BandSummary({
  bands,
  linkFor,
}: {
  bands: Partial<Record<Band, Count>>;
  linkFor: (band: Band) => string;
}) {
  return (
    <ul className="nhsuk-grid-row nhsuk-card-group" aria-label="People in each risk band">
      {BANDS.map((band) => (
        <li key={band} className="nhsuk-grid-column-one-quarter nhsuk-card-group__item">
          <div className="nhsuk-card nhsuk-card--clickable">
            <div className="nhsuk-card__content">
              <h2 className="nhsuk-card__heading nhsuk-heading-s">
                <a className="nhsuk-card__link" href={linkFor(band)}>
                  <BandTag band={band} />
                  <span className="nhsuk-u-visually-hidden"> risk:</span>
                  <span className="nhsuk-u-display-block nhsuk-u-margin-top-2">{peopleText(bands[band] ?? 0)}</span>
                </a>
              </h2>
              <p className="nhsuk-card__description nhsuk-body-s">{BAND_TEXT[band].meaning}</p>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
