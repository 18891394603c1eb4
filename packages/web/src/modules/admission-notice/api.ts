import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

/**
 * The alert thread page's API (packages/server/src/admission-notice/thread.routes.ts): the types are
 * its contract; every call carries the Bearer token through `api()`.
 */
export interface ThreadAlert {
  id: string;
  event: string;
  sent?: string;
  text: string;
}

export interface FollowUpStep {
  id: string;
  code: string;
  description: string;
  due?: string;
  status: string;
  open: boolean;
  overdue: boolean;
  escalated: boolean;
  completedAt?: string;
  notes: string[];
}

export interface AlertThread {
  encounter: {
    id: string;
    status: string;
    class?: string;
    start?: string;
    end?: string;
    hospital?: string;
    where?: string;
    cancelled: boolean;
  };
  patient: { id: string; name: string; nhsNumber?: string; birthDate?: string; gender?: string; practice?: string };
  alerts: ThreadAlert[];
  followUp: FollowUpStep[];
  told: { reference: string; name: string; kind: 'staff' | 'carer' }[];
}

const BASE = '/api/admission-notice';
export const THREAD_KEY = ['admission-notice', 'thread'] as const;

/** A visit's thread by its Encounter id, or by one of its follow-up Tasks (the overdue notification's link). */
export const threadQuery = (by: { encounter: string } | { task: string }) =>
  queryOptions({
    queryKey: [...THREAD_KEY, by],
    queryFn: ({ signal }) =>
      api<AlertThread>(
        'encounter' in by
          ? `${BASE}/threads/${encodeURIComponent(by.encounter)}`
          : `${BASE}/follow-up/${encodeURIComponent(by.task)}`,
        { signal },
      ),
  });

export const completeFollowUp = (taskId: string, note: string) =>
  api<AlertThread>(`${BASE}/follow-up/${encodeURIComponent(taskId)}/complete`, {
    method: 'POST',
    body: note ? { note } : {},
  });

/** What each alert says happened, in words. */
export const EVENT_TEXT: Record<string, string> = {
  admission: 'Admitted',
  attendance: 'Attended A&E',
  transfer: 'Moved ward',
  discharge: 'Discharged',
  // Corrections (HL7 v2 A11, A12, A13): the hospital recorded something in error.
  cancelled: 'Cancelled: admitted in error',
  'transfer-cancelled': 'Move cancelled',
  'discharge-cancelled': 'Discharge cancelled: still in hospital',
};
