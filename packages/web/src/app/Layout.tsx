import { Footer, Header } from 'nhsuk-react-components';
import { useEffect, useRef, type ReactNode } from 'react';
import { signOut, useSession, type Session } from '../auth/session.ts';
import { navigate, takeNavigated, useLocation } from './router.ts';

interface NavItem {
  href: string;
  text: string;
}

function navigationFor(session: Session | undefined): NavItem[] {
  switch (session?.kind) {
    case 'staff':
      return [
        { href: '/find', text: 'Find a patient' },
        { href: '/practice/repeat-requests', text: 'Repeat requests' },
        { href: '/phone', text: 'Phone' },
      ];
    case 'patient':
    case 'related-person':
      if (session.kind === 'related-person' && !session.actingFor) {
        return [{ href: '/choose-person', text: 'Choose who to act for' }];
      }
      return [
        { href: '/my', text: 'My record' },
        { href: '/my/appointments', text: 'Appointments' },
        { href: '/my/prescriptions', text: 'Prescriptions' },
        { href: '/my/sharing', text: 'Sharing' },
        { href: '/my/access-log', text: 'Who has looked' },
        { href: '/my/who-can-see', text: 'Who can see it' },
      ];
    default:
      return [];
  }
}

/** Header, skip link, main landmark and footer around every page; focus moves to the page on navigation. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    // After moving to another page (not on the first load), start screen readers and the Tab key there.
    if (takeNavigated()) {
      main.current?.focus({ preventScroll: true });
    }
  }, [pathname]);
  const items = navigationFor(session);
  return (
    <>
      <a className="nhsuk-skip-link" href="#maincontent" data-external="">
        Skip to main content
      </a>
      <Header service={{ text: 'CareWeave', href: '/' }}>
        {session && (
          <Header.Account>
            <Header.AccountItem href={session.kind === 'related-person' ? '/choose-person' : '/'} icon>
              {session.name}
              {session.kind === 'related-person' && session.actingFor ? ` (acting for ${session.actingFor.name})` : ''}
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
            {items.map((item) => (
              <Header.NavigationItem key={item.href} href={item.href} current={pathname === item.href || undefined}>
                {item.text}
              </Header.NavigationItem>
            ))}
          </Header.Navigation>
        )}
      </Header>
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper nhsuk-main-wrapper--s" id="maincontent" tabIndex={-1} ref={main}>
          {children}
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
