import type { AuditEntry, AuditLog } from './audit.ts';

/**
 * What a patient (or their carer) is shown of their own access log: each event as it concerns them.
 * One audit row can be about several patients (a search across a list, a write naming two, a
 * refused write pointing at someone else's record); read by one of them it must not tell them about
 * the others: their ids and names, their records, the query that named them, or the canonical text
 * (which holds all of it). Privacy officers see rows whole.
 */
export async function redactForPatient(audit: AuditLog, patient: string, entries: AuditEntry[]): Promise<AuditEntry[]> {
  const own = await audit.refsOfPatient(
    patient,
    entries.flatMap((e) => e.resourceRefs),
  );
  return entries.map((entry) => {
    const others = entry.patientIds.some((id) => id !== patient);
    const { canonical: _canonical, ...rest } = entry;
    void _canonical;
    return {
      ...rest,
      patientIds: [patient],
      resourceRefs: entry.resourceRefs.filter((ref) => own.has(ref)),
      query: others ? null : entry.query,
    };
  });
}
