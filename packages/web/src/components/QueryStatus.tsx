import { ErrorMessage, Loading } from './feedback.tsx';

/**
 * The loading and error states of a query, as every page shows them: an announced loading
 * message, or the NHS error summary with a way to try again. Renders nothing once there is data.
 */
export function QueryStatus({
  query,
  what,
  errorTitle,
}: {
  query: { status: 'pending' | 'error' | 'success'; error: Error | null; refetch: () => Promise<unknown> };
  what: string;
  errorTitle?: string;
}) {
  if (query.status === 'pending') {
    return <Loading what={what} />;
  }
  if (query.status === 'error' && query.error) {
    return <ErrorMessage title={errorTitle} error={query.error} onRetry={() => void query.refetch()} />;
  }
  return null;
}
