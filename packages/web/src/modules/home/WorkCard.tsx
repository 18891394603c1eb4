import type { ReactNode } from 'react';
import { Link } from 'react-router';

/**
 * One piece of a member of staff's work on their home page: a clickable NHS.UK card with the count
 * waiting (when there is one) and a line on what it is.
 */
export function WorkCard({
  title,
  href,
  count,
  countText,
  urgent,
  children,
}: {
  title: string;
  href: string;
  /** How many are waiting; absent when the card has no count (or it is still loading). */
  count?: number;
  /** "unread", "waiting", "open": what the count is. */
  countText?: string;
  /** Draws the count as needing attention (red) when above zero. */
  urgent?: boolean;
  children: ReactNode;
}) {
  return (
    <li className="nhsuk-grid-column-one-third nhsuk-card-group__item">
      <div className="nhsuk-card nhsuk-card--clickable cw-work-card">
        <div className="nhsuk-card__content">
          <h2 className="nhsuk-card__heading nhsuk-heading-s">
            <Link className="nhsuk-card__link" to={href}>
              {title}
              {count !== undefined && (
                <span className="nhsuk-u-visually-hidden">
                  : {count} {countText}
                </span>
              )}
            </Link>
          </h2>
          {count !== undefined && (
            <p className={`cw-work-count${urgent && count > 0 ? ' cw-work-count--urgent' : ''}`} aria-hidden="true">
              {count} <span className="nhsuk-body-s">{countText}</span>
            </p>
          )}
          <p className="nhsuk-card__description">{children}</p>
        </div>
      </div>
    </li>
  );
}
