import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { portalPatientId, useSession, type Session } from '../auth/session.ts';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { Loading } from '../components/feedback.tsx';
import { Accessibility } from '../pages/common/Accessibility.tsx';
import { Callback } from '../pages/common/Callback.tsx';
import { NotFound } from '../pages/common/NotFound.tsx';
import { Privacy } from '../pages/common/Privacy.tsx';
import { SignedOut, SignIn } from '../pages/common/SignIn.tsx';
import { FindPatient } from '../pages/clinician/FindPatient.tsx';
import { PatientRecordPage } from '../pages/clinician/PatientRecordPage.tsx';
import { PhoneSimulator } from '../pages/clinician/PhoneSimulator.tsx';
import { RepeatQueue } from '../pages/clinician/RepeatQueue.tsx';
import { AccessLog } from '../pages/portal/AccessLog.tsx';
import { Appointments } from '../pages/portal/Appointments.tsx';
import { ChoosePerson } from '../pages/portal/ChoosePerson.tsx';
import { MyRecord } from '../pages/portal/MyRecord.tsx';
import { Prescriptions } from '../pages/portal/Prescriptions.tsx';
import { Layout } from './Layout.tsx';
import { match, navigate, useLocation } from './router.ts';

const Sharing = lazy(() => import('../pages/portal/Sharing.tsx'));
const WhoCanSee = lazy(() => import('../pages/portal/WhoCanSee.tsx'));

type Kind = Session['kind'];
interface Route {
  path: string;
  who?: Kind[];
  render: (params: Record<string, string>) => ReactNode;
}

const STAFF: Kind[] = ['staff'];
const CITIZEN: Kind[] = ['patient', 'related-person'];

const routes: Route[] = [
  { path: '/', render: () => <Home /> },
  { path: '/sign-in', render: () => <SignIn /> },
  { path: '/callback', render: () => <Callback /> },
  { path: '/signed-out', render: () => <SignedOut /> },
  { path: '/accessibility', render: () => <Accessibility /> },
  { path: '/privacy', render: () => <Privacy /> },
  { path: '/find', who: STAFF, render: () => <FindPatient /> },
  { path: '/patients/:id', who: STAFF, render: ({ id }) => <PatientRecordPage patientId={id!} view="summary" /> },
  {
    path: '/patients/:id/timeline',
    who: STAFF,
    render: ({ id }) => <PatientRecordPage patientId={id!} view="timeline" />,
  },
  { path: '/patients/:id/trends', who: STAFF, render: ({ id }) => <PatientRecordPage patientId={id!} view="trends" /> },
  { path: '/practice/repeat-requests', who: STAFF, render: () => <RepeatQueue /> },
  { path: '/phone', who: STAFF, render: () => <PhoneSimulator /> },
  { path: '/choose-person', who: ['related-person'], render: () => <ChoosePerson /> },
  { path: '/my', who: CITIZEN, render: () => <Portal page={(id) => <MyRecord patientId={id} />} /> },
  { path: '/my/appointments', who: CITIZEN, render: () => <Portal page={(id) => <Appointments patientId={id} />} /> },
  { path: '/my/prescriptions', who: CITIZEN, render: () => <Portal page={(id) => <Prescriptions patientId={id} />} /> },
  { path: '/my/sharing', who: CITIZEN, render: () => <Portal page={(id) => <Sharing patientId={id} />} /> },
  { path: '/my/access-log', who: CITIZEN, render: () => <Portal page={(id) => <AccessLog patientId={id} />} /> },
  { path: '/my/who-can-see', who: CITIZEN, render: () => <Portal page={(id) => <WhoCanSee patientId={id} />} /> },
];

export function App() {
  const { pathname } = useLocation();
  const session = useSession();
  let page: ReactNode = <NotFound />;
  for (const route of routes) {
    const params = match(route.path, pathname);
    if (params) {
      page =
        route.who && (!session || !route.who.includes(session.kind)) ? (
          <Redirect to={session ? '/' : `/sign-in?returnTo=${encodeURIComponent(pathname)}`} />
        ) : (
          route.render(params)
        );
      break;
    }
  }
  return (
    <Layout>
      <ErrorBoundary key={pathname}>
        <Suspense fallback={<Loading what="the page" />}>{page}</Suspense>
      </ErrorBoundary>
    </Layout>
  );
}

/** Portal pages need a patient: the signed-in patient, or the person a carer has chosen. */
function Portal({ page }: { page: (patientId: string) => ReactNode }) {
  const session = useSession();
  const patientId = portalPatientId(session);
  if (!patientId) {
    return <Redirect to="/choose-person" />;
  }
  return <>{page(patientId)}</>;
}

function Home() {
  const session = useSession();
  if (!session) {
    return <Redirect to="/sign-in" />;
  }
  if (session.kind === 'staff') {
    return <Redirect to="/find" />;
  }
  return <Redirect to={portalPatientId(session) ? '/my' : '/choose-person'} />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <Loading what="the page" />;
}
