import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { isMissing, listQuery, type ListFilter, type NotificationList } from '../api.ts';
import { NotificationCard } from '../NotificationCard.tsx';
import { NotYetAvailable } from '../NotYetAvailable.tsx';

/**
 * The inbox: notifications newest first, filtered by unread or all and by category. The filter is
 * in the address (`?status=unread&category=results`) so that it survives a reload and can be shared.
 */
export default function Inbox() {
  const [params, setParams] = useSearchParams();
  const filter: ListFilter = {
    status: params.get('status') === 'unread' ? 'unread' : 'all',
    category: params.get('category') ?? '',
  };
  const list = useQuery(listQuery(filter));
  // The categories to choose from: those of every notification, whatever is filtered now.
  const everything = useQuery(listQuery({ status: 'all', category: '' }));
  const setFilter = (next: ListFilter): void =>
    setParams(
      Object.fromEntries(
        Object.entries({ status: next.status === 'all' ? '' : next.status, category: next.category }).filter(
          ([, value]) => value,
        ),
      ),
      { replace: true },
    );

  return (
    <>
      <PageTitle>Inbox</PageTitle>
      <p className="nhsuk-body">
        Messages from CareWeave about your work and the people you care for, newest first.{' '}
        <a href="/inbox/preferences">Choose how and when you are told</a>.
      </p>
      {isMissing(list.error) ? (
        <NotYetAvailable then="When they are, they will appear here." />
      ) : (
        <>
          <Filters filter={filter} categories={categoriesOf(everything.data, filter.category)} onChange={setFilter} />
          {list.status === 'pending' && <Loading what="your notifications" />}
          {list.status === 'error' && (
            <ErrorMessage
              title="Your notifications could not be loaded"
              error={list.error}
              onRetry={() => void list.refetch()}
            />
          )}
          {list.status === 'success' && (
            <Notifications list={list.data} filtered={filter.status === 'unread' || Boolean(filter.category)} />
          )}
        </>
      )}
    </>
  );
}

function categoriesOf(list: NotificationList | undefined, chosen: string): { code: string; display: string }[] {
  const byCode = new Map((list?.items ?? []).map((item) => [item.category.code, item.category]));
  if (chosen && !byCode.has(chosen)) {
    byCode.set(chosen, { code: chosen, display: chosen });
  }
  return [...byCode.values()].sort((a, b) => a.display.localeCompare(b.display));
}

function Filters({
  filter,
  categories,
  onChange,
}: {
  filter: ListFilter;
  categories: { code: string; display: string }[];
  onChange: (filter: ListFilter) => void;
}) {
  return (
    <form className="cw-filters" role="search" aria-label="Filter notifications" onSubmit={(e) => e.preventDefault()}>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-status">
          Show
        </label>
        <select
          className="nhsuk-select"
          id="filter-status"
          value={filter.status}
          onChange={(e) => onChange({ ...filter, status: e.target.value === 'unread' ? 'unread' : 'all' })}
        >
          <option value="all">All notifications</option>
          <option value="unread">Unread only</option>
        </select>
      </div>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="filter-category">
          Category
        </label>
        <select
          className="nhsuk-select"
          id="filter-category"
          value={filter.category}
          onChange={(e) => onChange({ ...filter, category: e.target.value })}
        >
          <option value="">All categories</option>
          {categories.map((category) => (
            <option key={category.code} value={category.code}>
              {category.display}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}

function Notifications({ list, filtered }: { list: NotificationList; filtered: boolean }) {
  const items = [...list.items].sort((a, b) => Date.parse(b.sentAt) - Date.parse(a.sentAt));
  return (
    <>
      <p className="nhsuk-body-s" role="status" aria-live="polite">
        {items.length} {items.length === 1 ? 'notification' : 'notifications'} shown. {list.unread} unread in all.
      </p>
      {items.length === 0 ? (
        <Empty>{filtered ? 'No notifications match these filters.' : 'You have no notifications.'}</Empty>
      ) : (
        <ul className="nhsuk-list cw-notifications">
          {items.map((item) => (
            <NotificationCard key={item.id} item={item} />
          ))}
        </ul>
      )}
    </>
  );
}
