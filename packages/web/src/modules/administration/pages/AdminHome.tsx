import { useQuery } from '@tanstack/react-query';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { WorkCard } from '../../home/WorkCard.tsx';
import { listApps, listOrganisations, listUsers } from '../api.ts';

/** The administrator's home page: accounts (and those locked), organisations, apps and systems. */
export default function AdminHome() {
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: listUsers });
  const organisations = useQuery({ queryKey: ['admin', 'organisations'], queryFn: listOrganisations });
  const apps = useQuery({ queryKey: ['admin', 'apps'], queryFn: listApps });
  const locked = users.data?.filter((u) => u.status !== 'active').length;
  return (
    <>
      <PageTitle caption="Administrator">Administration</PageTitle>
      <p className="nhsuk-body">
        Accounts, organisations and connected apps. An administrator does not see anyone’s health record.
      </p>
      <ul className="nhsuk-grid-row nhsuk-card-group" aria-label="Administration">
        <WorkCard title="Users" href="/admin/users" count={users.data?.length} countText="accounts">
          Add people, give staff their roles at an organisation, lock accounts and set new passwords.
        </WorkCard>
        <WorkCard title="Locked accounts" href="/admin/users?status=locked" count={locked} countText="locked" urgent>
          Accounts locked by an administrator or after failed sign-ins.
        </WorkCard>
        <WorkCard
          title="Organisations"
          href="/admin/organisations"
          count={organisations.data?.length}
          countText="organisations"
        >
          GP practices, trusts, councils and other organisations whose staff use CareWeave.
        </WorkCard>
        <WorkCard title="Apps and systems" href="/admin/apps" count={apps.data?.length} countText="SMART apps">
          Third-party SMART apps and the systems that connect with their own credentials.
        </WorkCard>
      </ul>
    </>
  );
}
