import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { MODULES } from '../modules/index.ts';
import { interceptLinks } from './links.ts';
import { queryClient } from './query-client.ts';
import { appRoutes } from './routes.tsx';

/**
 * React Router in data mode (`createBrowserRouter`) rather than declarative `<BrowserRouter>`: the
 * router is an object the app can drive from outside React (the plain-link interceptor, sign-out),
 * and the route table is data built from the module list, which is what modules/ hands over.
 */
const router = createBrowserRouter(appRoutes(MODULES));

export function App() {
  useEffect(() => interceptLinks((to) => router.navigate(to)), []);
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
