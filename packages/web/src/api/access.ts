import type { Bundle, Patient } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../lib/fhir-display.ts';
import { api, fhirPost } from './client.ts';

/** A care relationship a member of staff declared with a patient (docs/ACCESS.md, *Need to know*). */
export interface DeclaredRelationship {
  id: string;
  patientId: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
}

/** An emergency access (break-glass) session of the signed-in user. */
export interface BreakGlassSession {
  id: string;
  patientId: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
}

/** What the signed-in member of staff has opened for one patient, beyond the record's relationships. */
export interface ActiveAccess {
  declared?: DeclaredRelationship;
  breakGlass?: BreakGlassSession;
}

/** The signed-in user's unexpired declaration and break-glass session for this patient, if any. */
export async function activeAccess(patientId: string): Promise<ActiveAccess> {
  const [declared, breakGlass] = await Promise.all([
    api<{ declarations: DeclaredRelationship[] }>('/api/access/declared-relationships'),
    api<{ sessions: BreakGlassSession[] }>('/api/access/break-glass'),
  ]);
  const latest = <T extends { patientId: string; expiresAt: string }>(list: T[]): T | undefined =>
    list
      .filter((item) => item.patientId === patientId && Date.parse(item.expiresAt) > Date.now())
      .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt))[0];
  return { declared: latest(declared.declarations), breakGlass: latest(breakGlass.sessions) };
}

export async function declareRelationship(patientId: string, reason: string): Promise<DeclaredRelationship> {
  return api<DeclaredRelationship>('/api/access/declared-relationships', {
    method: 'POST',
    body: { patientId, reason },
  });
}

export async function endDeclaredRelationship(id: string): Promise<void> {
  await api(`/api/access/declared-relationships/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function breakGlass(patientId: string, reason: string): Promise<BreakGlassSession> {
  return api<BreakGlassSession>('/api/access/break-glass', { method: 'POST', body: { patientId, reason } });
}

/** What a trace is asked with: an NHS number, or a surname and date of birth (a first name narrows it). */
export type TraceCriteria = { nhsNumber: string } | { family: string; given?: string; birthDate: string };

/**
 * `Patient/$match`: who the person is — identity only — whether or not their record is shared with the
 * caller, so that they can ask for emergency access (docs/ACCESS.md, *Finding a person*). Audited.
 */
export async function tracePatient(criteria: TraceCriteria): Promise<Patient[]> {
  const patient: Patient =
    'nhsNumber' in criteria
      ? { resourceType: 'Patient', identifier: [{ system: NHS_NUMBER_SYSTEM, value: criteria.nhsNumber }] }
      : {
          resourceType: 'Patient',
          name: [{ family: criteria.family, ...(criteria.given ? { given: [criteria.given] } : {}) }],
          birthDate: criteria.birthDate,
        };
  const bundle = await fhirPost<Bundle>('Patient/$match', {
    resourceType: 'Parameters',
    parameter: [{ name: 'resource', resource: patient }],
  });
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
}
