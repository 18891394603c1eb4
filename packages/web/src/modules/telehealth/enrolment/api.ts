import type { CarePlan, Patient } from '@medplum/fhirtypes';
import { queryOptions } from '@tanstack/react-query';
import { api, fhirGet, fhirPost, fhirPut } from '../../../api/client.ts';

/** An enrolment as `GET /api/telehealth/enrolments?patient=Patient/{id}` shows it (the server's operational state). */
export interface Enrolment {
  carePlan: string;
  protocol: { id: string; version: number };
  status: 'active' | 'paused' | 'stopped' | 'refused';
  problems: string[];
  nextPromptAt: string | null;
  awaitingReply: boolean;
  missedInARow: number;
}

export const patientQuery = (patientId: string) =>
  queryOptions({
    queryKey: ['telehealth', 'patient', patientId],
    queryFn: ({ signal }) => fhirGet<Patient>(`Patient/${encodeURIComponent(patientId)}`, signal),
  });

/**
 * A patient's enrolments. The server turns a CarePlan into its enrolment in a reaction after the
 * write commits, so a plan just written may not be listed yet: `waitFor` asks again every second
 * until it is (or its enrolment changes status after an edit).
 */
export const enrolmentsQuery = (patientId: string, waitFor?: { carePlan: string; status?: string }) =>
  queryOptions({
    queryKey: ['telehealth', 'enrolments', patientId],
    queryFn: ({ signal }) =>
      api<{ enrolments: Enrolment[] }>(
        `/api/telehealth/enrolments?${new URLSearchParams({ patient: `Patient/${patientId}` }).toString()}`,
        { signal },
      ).then((answer) => answer.enrolments),
    refetchInterval: (query) => {
      if (!waitFor) {
        return false;
      }
      const found = query.state.data?.find((e) => e.carePlan === waitFor.carePlan);
      return found && (!waitFor.status || found.status === waitFor.status) ? false : 1000;
    },
  });

export const carePlanQuery = (id: string) =>
  queryOptions({
    queryKey: ['telehealth', 'care-plan', id],
    queryFn: ({ signal }) => fhirGet<CarePlan>(`CarePlan/${encodeURIComponent(id)}`, signal),
  });

export const createPlan = (plan: CarePlan): Promise<CarePlan> => fhirPost<CarePlan>('CarePlan', plan);

/** A change to the plan, refused (412) if someone else changed it since it was read. */
export const updatePlan = (plan: CarePlan): Promise<CarePlan> =>
  fhirPut<CarePlan>(`CarePlan/${encodeURIComponent(plan.id!)}`, plan, plan.meta?.versionId);
