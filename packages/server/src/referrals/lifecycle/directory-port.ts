/**
 * What the lifecycle needs of the directory (referrals/directory/types.ts, `ReferralDirectory`):
 * shortlists, free slots and booking. Named here so that the lifecycle's tests can stand in a small
 * directory of their own (lifecycle/testing/fixtures.ts).
 */
import type { ReferralDirectory, ServiceOption } from '../directory/types.ts';

export type DirectoryPort = Pick<ReferralDirectory, 'search' | 'freeSlots' | 'book' | 'cancel'>;
export type ServiceOptionLike = ServiceOption;
