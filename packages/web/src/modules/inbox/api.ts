import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';

/**
 * The notifications API (`/api/notifications`, built in packages/server alongside this page). The
 * types are its contract exactly; every call carries the Bearer token through `api()`.
 */
export interface Reference {
  reference: string;
  display?: string;
}

export type Priority = 'routine' | 'urgent';

export interface Notification {
  id: string;
  kind: string;
  category: { code: string; display: string };
  priority: Priority;
  title: string;
  text: string;
  subject?: Reference;
  about?: Reference;
  sentAt: string;
  readAt?: string;
  acknowledgedAt?: string;
}

export interface NotificationList {
  unread: number;
  items: Notification[];
}

export type Channel = 'inbox' | 'sms' | 'email';
export type Delivery = 'immediate' | 'digest';

export interface KindPreference {
  kind: string;
  title: string;
  channels: Channel[];
  delivery: Delivery;
}

export interface Preferences {
  kinds: KindPreference[];
  quietHours: { start: string; end: string } | null;
  digestTime: string;
  phone?: string;
  email?: string;
}

export interface ListFilter {
  status: 'unread' | 'all';
  category: string;
}

const BASE = '/api/notifications';

/** The notifications API is not on this server (yet): it answers 404 to everything. */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
/** Everything the inbox caches: a change to one notification refreshes the list and the count. */
export const NOTIFICATIONS_KEY = ['notifications'] as const;
/** How often the header's unread count is read again while the app is open. */
export const COUNT_REFRESH_MS = 30_000;

export const listQuery = (filter: ListFilter) =>
  queryOptions({
    queryKey: [...NOTIFICATIONS_KEY, 'list', filter],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ status: filter.status, count: '50' });
      if (filter.category) {
        params.set('category', filter.category);
      }
      return api<NotificationList>(`${BASE}?${params.toString()}`, { signal });
    },
  });

export const unreadCountQuery = queryOptions({
  queryKey: [...NOTIFICATIONS_KEY, 'unread-count'],
  queryFn: ({ signal }) => api<{ unread: number }>(`${BASE}/unread-count`, { signal }),
  // A server without the notifications API yet answers 404: asking again every 30 s would not change that.
  refetchInterval: (query) => (isMissing(query.state.error) ? false : COUNT_REFRESH_MS),
  refetchOnWindowFocus: true,
  staleTime: 0,
});

export const preferencesQuery = queryOptions({
  queryKey: [...NOTIFICATIONS_KEY, 'preferences'],
  queryFn: ({ signal }) => api<Preferences>(`${BASE}/preferences`, { signal }),
});

export const markRead = (id: string): Promise<Notification> =>
  api<Notification>(`${BASE}/${encodeURIComponent(id)}/read`, { method: 'POST' });

export const acknowledge = (id: string): Promise<Notification> =>
  api<Notification>(`${BASE}/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' });

export const savePreferences = (preferences: Preferences): Promise<Preferences> =>
  api<Preferences>(`${BASE}/preferences`, { method: 'PUT', body: preferences });
