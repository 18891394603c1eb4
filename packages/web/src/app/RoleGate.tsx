import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../auth/session.ts';
import { PageTitle } from '../components/PageTitle.tsx';
import type { Role } from '../modules/contract.ts';

const WHO: Record<Role, string> = {
  staff: 'health and care staff',
  patient: 'patients',
  'related-person': 'carers',
  admin: 'administrators',
};

/**
 * A module page's door: someone signed out is sent to sign in (and brought back); someone whose
 * role the page does not allow is told so plainly, instead of a failed request or a blank screen.
 */
export function RoleGate({ roles, children }: { roles?: readonly Role[]; children: ReactNode }) {
  const session = useSession();
  const { pathname, search } = useLocation();
  if (!session) {
    return <Navigate replace to={`/sign-in?returnTo=${encodeURIComponent(pathname + search)}`} />;
  }
  if (roles && !roles.includes(session.kind)) {
    return <CannotUse roles={roles} />;
  }
  return <>{children}</>;
}

function CannotUse({ roles }: { roles: readonly Role[] }) {
  return (
    <>
      <PageTitle>You cannot use this page</PageTitle>
      <p className="nhsuk-body">This page is only for {roles.map((role) => WHO[role]).join(' and ')}.</p>
      <p className="nhsuk-body">
        <a href="/">Go to your start page</a>
      </p>
    </>
  );
}
