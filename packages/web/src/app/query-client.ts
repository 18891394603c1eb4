import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/errors.ts';
import { currentSession, onSessionChange, portalPatientId, type Session } from '../auth/session.ts';

/** A 4xx answer will not change by asking again (not found, refused, invalid); other failures may. */
function shouldRetry(failures: number, error: Error): boolean {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2;
}

/**
 * The app's one cache of server state. Records are large and change rarely while a page is open,
 * so pages do not refetch on window focus unless they ask (the inbox count does).
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 30_000, retry: shouldRetry, refetchOnWindowFocus: false },
    mutations: { retry: false },
  },
});

/** Who the cached answers were fetched for: another person, or a carer acting for someone else, sees other data. */
function identity(session: Session | undefined): string {
  return session ? `${session.kind}|${session.name}|${portalPatientId(session) ?? ''}` : '';
}

let cachedFor = identity(currentSession());
onSessionChange(() => {
  const next = identity(currentSession());
  if (next !== cachedFor) {
    // Synchronously, before React renders for the new session: nothing of the last person's is shown.
    cachedFor = next;
    queryClient.clear();
  }
});
