/** Said while the server has no notifications API yet (it answers 404), instead of an error. */
export function NotYetAvailable({ then }: { then: string }) {
  return (
    <div className="nhsuk-inset-text">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      <p>Notifications are not available on this server yet. {then}</p>
    </div>
  );
}
