import { PageTitle } from '../../components/PageTitle.tsx';

export function NotFound() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p className="nhsuk-body">If you typed the web address, check it is correct.</p>
      <p className="nhsuk-body">
        <a href="/">Go to the start page</a>
      </p>
    </>
  );
}
