import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { filterQuery, parseFilter, SPECIALTIES, type AnalyticsFilter } from './api.ts';

/**
 * The dashboard's filters: a GET form whose fields are the address's parameters (bookmarkable);
 * submitting navigates within the app. Practices are offered to a commissioner only.
 */
export function Filters({
  filter,
  path,
  practices,
}: {
  filter: AnalyticsFilter;
  path: string;
  practices?: { id: string; name: string }[];
}) {
  const navigate = useNavigate();
  const apply = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(event.currentTarget).entries()) {
      if (typeof value === 'string' && value.trim()) {
        params.set(key, value.trim());
      }
    }
    const query = filterQuery(parseFilter(params)).toString();
    void navigate(`${path}${query ? `?${query}` : ''}`);
  };
  const key = filterQuery(filter).toString();
  return (
    <form
      key={key}
      className="cw-filters"
      method="get"
      action={path}
      role="search"
      aria-label="Filter the figures"
      onSubmit={apply}
    >
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-from">
          From month
        </label>
        <input
          className="nhsuk-input nhsuk-input--width-10"
          id="filter-from"
          name="from"
          type="month"
          defaultValue={filter.from ?? ''}
        />
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-to">
          To month
        </label>
        <input
          className="nhsuk-input nhsuk-input--width-10"
          id="filter-to"
          name="to"
          type="month"
          defaultValue={filter.to ?? ''}
        />
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-specialty">
          Specialty
        </label>
        <select className="nhsuk-select" id="filter-specialty" name="specialty" defaultValue={filter.specialty ?? ''}>
          <option value="">All specialties</option>
          {SPECIALTIES.map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {practices && (
        <div className="nhsuk-form-group">
          <label className="nhsuk-label" htmlFor="filter-practice">
            Practice to follow
          </label>
          <select className="nhsuk-select" id="filter-practice" name="practice" defaultValue={filter.practice ?? ''}>
            <option value="">None (area only)</option>
            {practices.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      )}
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
