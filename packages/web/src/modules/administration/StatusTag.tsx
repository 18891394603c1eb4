import { formatDateTime } from '../../lib/dates.ts';
import type { AdminUser } from './api.ts';

/**
 * An account's status in words (never colour alone): `disabled` is an administrator's lock (no
 * sign-in until unlocked); `locked` is the sign-in throttle after failed passwords, which ends by itself.
 */
export function StatusTag({ user }: { user: Pick<AdminUser, 'status' | 'lockedUntil'> }) {
  if (user.status === 'disabled') {
    return <strong className="nhsuk-tag nhsuk-tag--red">Locked by an administrator</strong>;
  }
  if (user.status === 'locked') {
    return (
      <strong className="nhsuk-tag nhsuk-tag--orange">
        Failed sign-ins{user.lockedUntil ? `: locked until ${formatDateTime(user.lockedUntil)}` : ''}
      </strong>
    );
  }
  return <strong className="nhsuk-tag nhsuk-tag--green">Active</strong>;
}
