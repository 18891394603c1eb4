import { lazy } from 'react';
import { Navigate, useRouteError, type RouteObject } from 'react-router';
import { useSession } from '../auth/session.ts';
import { ErrorMessage } from '../components/feedback.tsx';
import type { WebModule } from '../modules/contract.ts';
import { Accessibility } from '../pages/common/Accessibility.tsx';
import { Callback } from '../pages/common/Callback.tsx';
import { NotFound } from '../pages/common/NotFound.tsx';
import { Privacy } from '../pages/common/Privacy.tsx';
import { SignedOut, SignIn } from '../pages/common/SignIn.tsx';
import { Layout } from './Layout.tsx';
import { homeFor } from './navigation.ts';
import { RoleGate } from './RoleGate.tsx';

/** Each module route as a React Router route: its page loads on first visit, behind its role gate. */
export function moduleRoutes(modules: readonly WebModule[]): RouteObject[] {
  return modules.flatMap((module) =>
    module.routes.map((route): RouteObject => {
      // Made once, here, not while rendering: React keeps the loaded page between visits.
      const Page = lazy(route.page);
      return {
        path: route.path,
        element: (
          <RoleGate roles={route.roles}>
            <Page />
          </RoleGate>
        ),
      };
    }),
  );
}

/** The whole app: the shell's own pages (sign-in, statements, not found) and every module's. */
export function appRoutes(modules: readonly WebModule[]): RouteObject[] {
  return [
    {
      element: <Layout modules={modules} />,
      children: [
        {
          // Keeps the header and footer when something fails outside a page's own error boundary.
          errorElement: <RouteError />,
          children: [
            { index: true, element: <Home modules={modules} /> },
            { path: '/sign-in', element: <SignIn /> },
            { path: '/callback', element: <Callback /> },
            { path: '/signed-out', element: <SignedOut /> },
            { path: '/accessibility', element: <Accessibility /> },
            { path: '/privacy', element: <Privacy /> },
            ...moduleRoutes(modules),
            { path: '*', element: <NotFound /> },
          ],
        },
      ],
    },
  ];
}

function Home({ modules }: { modules: readonly WebModule[] }) {
  return <Navigate replace to={homeFor(modules, useSession())} />;
}

function RouteError() {
  const error = useRouteError();
  return (
    <ErrorMessage
      title="This page could not be shown"
      error={new Error(`${error instanceof Error ? error.message : String(error)}. Reload the page to try again.`)}
    />
  );
}
