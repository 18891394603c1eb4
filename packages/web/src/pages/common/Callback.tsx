import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { completeSignIn } from '../../auth/session.ts';
import { ErrorMessage, Loading } from '../../components/feedback.tsx';

export function Callback() {
  const [error, setError] = useState<Error>();
  const navigate = useNavigate();
  useEffect(() => {
    completeSignIn().then(
      (returnTo) =>
        void navigate(returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/', { replace: true }),
      (e: unknown) =>
        setError(
          new Error(`Sign-in did not complete: ${e instanceof Error ? e.message : String(e)}. Try signing in again.`),
        ),
    );
  }, [navigate]);
  return error ? (
    <>
      <ErrorMessage error={error} />
      <a href="/sign-in">Sign in again</a>
    </>
  ) : (
    <Loading what="your account" />
  );
}
