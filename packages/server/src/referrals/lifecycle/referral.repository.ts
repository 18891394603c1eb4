/** SQL for the lifecycle's own table: UBRNs and the hashes of the patients' letter passwords. */
import type { Queryable } from '../../db/database.ts';
import { newUbrn } from './rules.ts';

/** Claims a new unique UBRN for the referral in the caller's transaction (retries a collision). */
export async function claimUbrn(
  tx: Queryable,
  input: { serviceRequestId: string; patientId: string; passwordHash: string },
): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const ubrn = newUbrn();
    const rows = await tx.query<{ ubrn: string }>(
      `insert into referrals_ubrn (ubrn, service_request_id, patient_id, password_hash) values ($1, $2, $3, $4)
       on conflict (ubrn) do nothing returning ubrn`,
      [ubrn, input.serviceRequestId, input.patientId, input.passwordHash],
    );
    if (rows.length) {
      return ubrn;
    }
  }
  throw new Error('Could not find an unused UBRN in 10 attempts');
}
