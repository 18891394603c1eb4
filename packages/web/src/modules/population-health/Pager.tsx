import type { Count } from './api.ts';
import { filterQuery, type ListFilter } from './filters.ts';
import { pageCount } from './format.ts';

/** Previous and next pages of the list (NHS.UK pagination), keeping the filters in the address. */
export function Pager({
  filter,
  path,
  total,
  pageSize,
}: {
  filter: ListFilter;
  path: string;
  total: Count;
  pageSize: number;
}) {
  const pages = pageCount(total, pageSize);
  if (pages <= 1) {
    return null;
  }
  const href = (page: number): string => {
    const query = filterQuery({ ...filter, page }).toString();
    return `${path}${query ? `?${query}` : ''}`;
  };
  return (
    <nav className="nhsuk-pagination" role="navigation" aria-label="Pages of the list">
      <ul className="nhsuk-list nhsuk-pagination__list">
        {filter.page > 1 && (
          <li className="nhsuk-pagination-item--previous">
            <a className="nhsuk-pagination__link nhsuk-pagination__link--prev" href={href(filter.page - 1)} rel="prev">
              <span className="nhsuk-pagination__title">
                Previous<span className="nhsuk-u-visually-hidden"> page</span>
              </span>
              <span className="nhsuk-u-visually-hidden">:</span>
              <span className="nhsuk-pagination__page">
                Page {filter.page - 1} of {pages}
              </span>
            </a>
          </li>
        )}
        {filter.page < pages && (
          <li className="nhsuk-pagination-item--next">
            <a className="nhsuk-pagination__link nhsuk-pagination__link--next" href={href(filter.page + 1)} rel="next">
              <span className="nhsuk-pagination__title">
                Next<span className="nhsuk-u-visually-hidden"> page</span>
              </span>
              <span className="nhsuk-u-visually-hidden">:</span>
              <span className="nhsuk-pagination__page">
                Page {filter.page + 1} of {pages}
              </span>
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}
