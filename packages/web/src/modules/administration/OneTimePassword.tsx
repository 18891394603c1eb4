/**
 * A password the server has just made, shown once: the administrator passes it on by a secure route
 * and the person changes it; it cannot be shown again (only its hash is kept).
 */
export function OneTimePassword({ username, password }: { username: string; password: string }) {
  return (
    <div className="nhsuk-inset-text" role="status">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      <p className="nhsuk-body">
        The password for <strong>{username}</strong> is <code className="cw-one-time-password">{password}</code>
      </p>
      <p className="nhsuk-body-s">
        Give it to them in person or by phone, never by e-mail. It is shown only now: if it is lost, set a new one.
      </p>
    </div>
  );
}
