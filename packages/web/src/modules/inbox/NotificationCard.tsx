import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button } from 'nhsuk-react-components';
import { useSession } from '../../auth/session.ts';
import { ErrorMessage } from '../../components/feedback.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import { acknowledge, markRead, NOTIFICATIONS_KEY, type Notification } from './api.ts';
import { notificationLink, referenceText } from './links.ts';
import { describeWhen } from './when.ts';

/** Marking read and acknowledging change the list and the header's unread count. */
function useNotificationAction(action: (id: string) => Promise<Notification>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

/**
 * One notification: what and when, whom it concerns, and its text behind "open" (a details
 * element: opening it marks it read). Urgent ones must be acknowledged, which says "I have acted".
 */
export function NotificationCard({ item }: { item: Notification }) {
  const reading = useNotificationAction(markRead);
  const unread = !item.readAt;
  const open = (): void => {
    if (unread && !reading.isPending) {
      reading.mutate(item.id);
    }
  };
  const urgent = item.priority === 'urgent';
  const classes = [
    'nhsuk-card',
    'cw-notification',
    unread && 'cw-notification--unread',
    urgent && 'cw-notification--urgent',
  ];
  return (
    <li className={classes.filter(Boolean).join(' ')}>
      <div className="nhsuk-card__content">
        <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
          {urgent && <strong className="nhsuk-tag nhsuk-tag--red cw-tag-s">Urgent</strong>}{' '}
          {unread && <strong className="nhsuk-tag nhsuk-tag--blue cw-tag-s">Unread</strong>} {item.category.display} ·{' '}
          <time dateTime={item.sentAt}>{describeWhen(item.sentAt)}</time>
          {item.subject && <> · About {referenceText(item.subject)}</>}
        </p>
        <details
          className="nhsuk-details nhsuk-u-margin-bottom-0"
          onToggle={(event) => event.currentTarget.open && open()}
        >
          <summary className="nhsuk-details__summary">
            <span className="nhsuk-details__summary-text">{item.title}</span>
          </summary>
          <div className="nhsuk-details__text">
            <p className="nhsuk-body">{item.text}</p>
            <About item={item} onOpen={open} />
            {reading.error && <ErrorMessage error={reading.error} title="This notification was not marked as read" />}
            {urgent && <Acknowledge item={item} />}
          </div>
        </details>
      </div>
    </li>
  );
}

/** What the notification is about: a link where the app can show it, else its name. */
function About({ item, onOpen }: { item: Notification; onOpen: () => void }) {
  const link = notificationLink(item, useSession()?.kind);
  if (link) {
    return (
      <p className="nhsuk-body">
        <a href={link.href} onClick={onOpen}>
          {link.text}
        </a>
      </p>
    );
  }
  // A bare reference (`Encounter/123`) means nothing to a reader: only a named one is shown.
  return item.about?.display ? <p className="nhsuk-body">This is about {item.about.display}.</p> : null;
}

function Acknowledge({ item }: { item: Notification }) {
  const acknowledging = useNotificationAction(acknowledge);
  if (item.acknowledgedAt) {
    return <p className="nhsuk-body">You acknowledged this on {formatDateTime(item.acknowledgedAt)}.</p>;
  }
  return (
    <>
      {acknowledging.error && (
        <ErrorMessage error={acknowledging.error} title="This notification was not acknowledged" />
      )}
      <Button
        type="button"
        className="nhsuk-u-margin-bottom-0"
        disabled={acknowledging.isPending}
        onClick={() => acknowledging.mutate(item.id)}
        aria-label={`Acknowledge: ${item.title}`}
      >
        Acknowledge
      </Button>
    </>
  );
}
