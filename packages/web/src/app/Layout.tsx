import { Footer, Header } from 'nhsuk-react-components';
import { Suspense, useEffect, useRef } from 'react';
import { NavigationType, Outlet, useLocation, useNavigate, useNavigationType } from 'react-router';
import { signOut, useSession, type Session } from '../auth/session.ts';
import { roleName } from '../lib/roles.ts';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { Loading } from '../components/feedback.tsx';
import type { ModuleNavItem, WebModule } from '../modules/contract.ts';
import type { LayoutContext } from './app-modules.ts';
import { navigationFor } from './navigation.ts';

/** Header, skip link, main landmark and footer around every page; focus moves to the page on navigation. */
export function Layout({ modules }: { modules: readonly WebModule[] }) {
  const session = useSession();
  const { pathname } = useLocation();
  const main = useMovesFocusOnNavigation(pathname);
  const items = navigationFor(modules, session);
  return (
    <>
      <a className="nhsuk-skip-link" href="#maincontent" data-external="">
        Skip to main content
      </a>
      <SiteHeader session={session} items={items} pathname={pathname} />
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper nhsuk-main-wrapper--s" id="maincontent" tabIndex={-1} ref={main}>
          <ErrorBoundary key={pathname}>
            <Suspense fallback={<Loading what="the page" />}>
              <Outlet context={{ modules } satisfies LayoutContext} />
            </Suspense>
          </ErrorBoundary>
        </main>
      </div>
      <Footer>
        <Footer.Meta>
          <Footer.List>
            <Footer.ListItem href="/accessibility">Accessibility statement</Footer.ListItem>
            <Footer.ListItem href="/privacy">How your information is used</Footer.ListItem>
          </Footer.List>
          <Footer.Copyright>
            CareWeave – West Lancashire shared care record. Demo data only: every person is made up.
          </Footer.Copyright>
        </Footer.Meta>
      </Footer>
    </>
  );
}

/**
 * After moving to another page (not on the first load), starts screen readers and the Tab key at the
 * page, and scrolls to its top unless the browser is going back (it restores the old position). Only
 * a new path is a new page: a page that keeps its filters in the query (`/inbox?status=unread`) keeps
 * the focus where the person is.
 */
function useMovesFocusOnNavigation(pathname: string) {
  const main = useRef<HTMLElement>(null);
  const shown = useRef(pathname);
  const type = useNavigationType();
  useEffect(() => {
    if (shown.current === pathname) {
      return;
    }
    shown.current = pathname;
    if (type !== NavigationType.Pop) {
      window.scrollTo(0, 0);
    }
    main.current?.focus({ preventScroll: true });
  }, [pathname, type]);
  return main;
}

function SiteHeader({ session, items, pathname }: { session?: Session; items: ModuleNavItem[]; pathname: string }) {
  const navigate = useNavigate();
  return (
    // NHS.UK's header script measures the links once, when it starts, and moves those that do not
    // fit under "More". A new key for each set of links gives it a fresh header to measure (after
    // sign-in, or when a carer chooses a person), instead of one it measured with no links at all.
    <Header key={items.map((item) => item.path).join('|')} service={{ text: 'CareWeave', href: '/' }}>
      {session && (
        <Header.Account>
          <Header.AccountItem href={session.kind === 'related-person' ? '/choose-person' : '/'} icon>
            {session.name}
            {session.kind === 'related-person' && session.actingFor ? ` (acting for ${session.actingFor.name})` : ''}
            {session.kind === 'staff' && session.roleCode ? ` (${roleName(session.roleCode)})` : ''}
          </Header.AccountItem>
          <Header.AccountItem
            as="button"
            onClick={() => {
              void signOut().then(() => navigate('/signed-out'));
            }}
          >
            Sign out
          </Header.AccountItem>
        </Header.Account>
      )}
      {items.length > 0 && (
        <Header.Navigation>
          {items.map(({ path, label, Label }) => (
            <Header.NavigationItem key={path} href={path} current={pathname === path || undefined}>
              {Label ? <Label label={label} /> : label}
            </Header.NavigationItem>
          ))}
        </Header.Navigation>
      )}
    </Header>
  );
}
