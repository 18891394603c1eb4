import { lazy, Suspense, useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { homeCardsFor } from '../../../app/navigation.ts';
import { useSession } from '../../../auth/session.ts';
import { organisationName, resolveOrganisations } from '../../../api/record.ts';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { ErrorBoundary } from '../../../components/ErrorBoundary.tsx';
import { roleName } from '../../../lib/roles.ts';
import { useAppModules } from '../../../app/app-modules.ts';

/**
 * A member of staff's home page: their role and organisation as chosen at sign-in, and the cards of
 * their own work (each module contributes cards for the roles whose work it is).
 */
export default function Home() {
  const session = useSession();
  const modules = useAppModules();
  const cards = useMemo(
    () => homeCardsFor(modules, session).map((card, i) => ({ key: i, Card: lazy(card.card) })),
    [modules, session],
  );
  const organisationId = session?.kind === 'staff' ? session.organizationId : undefined;
  const organisation = useQuery({
    queryKey: ['organisation-name', organisationId],
    queryFn: async () => {
      await resolveOrganisations(organisationId ? [organisationId] : []);
      return organisationName(organisationId);
    },
    enabled: Boolean(organisationId),
  });
  const role = session?.kind === 'staff' ? roleName(session.roleCode) : undefined;
  return (
    <>
      <PageTitle caption={[role, organisation.data].filter(Boolean).join(', ') || undefined}>Your work</PageTitle>
      {cards.length === 0 ? (
        <p className="nhsuk-body">There is no work set up for your role yet. Use the links in the header.</p>
      ) : (
        <ul className="nhsuk-grid-row nhsuk-card-group" aria-label="Your work">
          {cards.map(({ key, Card }) => (
            <ErrorBoundary key={key}>
              <Suspense fallback={null}>
                <Card />
              </Suspense>
            </ErrorBoundary>
          ))}
        </ul>
      )}
    </>
  );
}
