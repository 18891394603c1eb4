import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { BANDS, CONDITIONS, filterQuery, FRAILTY, parseFilter, type ListFilter } from './filters.ts';
import { BAND_TEXT, frailtyText } from './format.ts';

/**
 * The list's filters: a GET form whose fields are the address's parameters, so "Apply" gives an
 * address that can be bookmarked or shared. Submitting navigates within the app (no reload); without
 * JavaScript the browser's own GET of the same address gives the same result.
 */
export function Filters({ filter, path }: { filter: ListFilter; path: string }) {
  const navigate = useNavigate();
  const apply = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const [key, value] of data.entries()) {
      if (typeof value === 'string' && value.trim()) {
        params.set(key, value.trim());
      }
    }
    // A new filter starts at page 1; parsing drops anything the server would refuse.
    const query = filterQuery({ ...parseFilter(params), page: 1 }).toString();
    void navigate(`${path}${query ? `?${query}` : ''}`);
  };
  // Keyed by the address so the fields show the filter in force after back/forward.
  const key = filterQuery(filter).toString();
  return (
    <form
      key={key}
      className="cw-filters"
      method="get"
      action={path}
      role="search"
      aria-label="Filter the list"
      onSubmit={apply}
    >
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-band">
          Risk band
        </label>
        <select className="nhsuk-select" id="filter-band" name="band" defaultValue={filter.band ?? ''}>
          <option value="">All bands</option>
          {BANDS.map((band) => (
            <option key={band} value={band}>
              {BAND_TEXT[band].label}
            </option>
          ))}
        </select>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-condition">
          Long-term condition
        </label>
        <select className="nhsuk-select" id="filter-condition" name="condition" defaultValue={filter.condition ?? ''}>
          <option value="">Any</option>
          {CONDITIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-frailty">
          Frailty (eFI)
        </label>
        <select className="nhsuk-select" id="filter-frailty" name="frailty" defaultValue={filter.frailty ?? ''}>
          <option value="">Any</option>
          {FRAILTY.map((value) => (
            <option key={value} value={value}>
              {frailtyText(value)}
            </option>
          ))}
        </select>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-min-age">
          Age from
        </label>
        <input
          className="nhsuk-input"
          id="filter-min-age"
          name="minAge"
          type="text"
          inputMode="numeric"
          pattern="[0-9]*"
          autoComplete="off"
          defaultValue={filter.minAge ?? ''}
        />
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-max-age">
          Age to
        </label>
        <input
          className="nhsuk-input"
          id="filter-max-age"
          name="maxAge"
          type="text"
          inputMode="numeric"
          pattern="[0-9]*"
          autoComplete="off"
          defaultValue={filter.maxAge ?? ''}
        />
      </div>
      <div className="nhsuk-form-group">
        <div className="nhsuk-checkboxes nhsuk-checkboxes--small">
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              id="filter-rising"
              name="rising"
              type="checkbox"
              value="true"
              defaultChecked={filter.rising ?? false}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="filter-rising">
              Only rising risk (up since last month)
            </label>
          </div>
        </div>
      </div>
      <div className="nhsuk-form-group">
        <button type="submit" className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0">
          Apply filters
        </button>{' '}
        {key && (
          <a className="nhsuk-link nhsuk-body-s" href={path}>
            Clear filters
          </a>
        )}
      </div>
    </form>
  );
}
