import { Button, Textarea, TextInput } from 'nhsuk-react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../../api/client.ts';
import { ApiError } from '../../../api/errors.ts';
import { Empty, ErrorMessage, Loading } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { formatDateTime } from '../../../lib/dates.ts';
import {
  checkPhone,
  describeDirection,
  describeOutcome,
  describeStatus,
  formatPhone,
  type InboundOutcome,
  type SmsMessage,
} from '../../../lib/sms.ts';

const POLL_MS = 5000;
type Field = 'phone' | 'message';
type Errors = Partial<Record<Field, string>>;

/**
 * The demo's patient phone (docs/SMS.md): the texts CareWeave sent a number and the replies
 * simulated from it, and a form to reply as the patient. Loopback gateway only.
 */
export default function PhoneSimulator() {
  const [phoneText, setPhoneText] = useState('');
  const [phone, setPhone] = useState<string>();
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [sent, setSent] = useState<{ body: string; outcome: InboundOutcome }>();
  const queryClient = useQueryClient();
  const summary = useRef<HTMLDivElement>(null);

  const show = (problems: Errors): void => {
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      requestAnimationFrame(() => summary.current?.focus());
    }
  };

  const sending = useMutation({
    mutationFn: (body: string) =>
      api<{ outcome: InboundOutcome }>('/api/sms/loopback/inbound', { method: 'POST', body: { from: phone, body } }),
    onSuccess: ({ outcome }, body) => {
      setSent({ body, outcome });
      setMessage('');
      return queryClient.invalidateQueries({ queryKey: ['sms', phone] });
    },
  });
  const failure = sending.error;
  const busy = sending.isPending;

  const choose = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkPhone(phoneText);
    show(checked.valid ? {} : { phone: checked.error });
    setSent(undefined);
    sending.reset();
    setPhone(checked.valid ? checked.value : undefined);
  };

  const reply = (event: FormEvent): void => {
    event.preventDefault();
    if (!phone) {
      return;
    }
    if (!message.trim()) {
      show({ message: 'Enter the text message to send' });
      return;
    }
    show({});
    sending.mutate(message);
  };

  const errorList = Object.entries(errors).filter(([, text]) => text) as [Field, string][];
  return (
    <>
      <PageTitle>Phone simulator (demo)</PageTitle>
      {errorList.length > 0 && (
        <div
          className="nhsuk-error-summary"
          aria-labelledby="error-summary-title"
          role="alert"
          tabIndex={-1}
          ref={summary}
        >
          <h2 className="nhsuk-error-summary__title" id="error-summary-title">
            There is a problem
          </h2>
          <div className="nhsuk-error-summary__body">
            <ul className="nhsuk-list nhsuk-error-summary__list">
              {errorList.map(([field, text]) => (
                <li key={field}>
                  <a href={`#${field}`} data-external="">
                    {text}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="nhsuk-inset-text">
        <span className="nhsuk-u-visually-hidden">Information: </span>
        <p>
          This is a demo tool. It works only with CareWeave’s built-in loopback text message gateway, which sends
          nothing to real phones. Play a patient’s phone: see the texts CareWeave sent a number, and reply as if from
          that phone.
        </p>
        <p>
          Replying STOP stops CareWeave texting the number (its next texts show as not sent). Replying START lets it
          text the number again.
        </p>
      </div>
      <div className="nhsuk-grid-row">
        <div className="nhsuk-grid-column-two-thirds">
          <form onSubmit={choose} noValidate aria-labelledby="choose-heading">
            <h2 className="nhsuk-heading-m" id="choose-heading">
              Choose a phone
            </h2>
            <TextInput
              id="phone"
              name="phone"
              label="Mobile phone number"
              hint="A UK mobile number, for example 07700 900123 (numbers from 07700 900000 to 07700 900999 are for drama and reach nobody)"
              width={20}
              type="tel"
              autoComplete="off"
              spellCheck={false}
              value={phoneText}
              onChange={(e) => setPhoneText(e.target.value)}
              error={errors.phone}
            />
            <Button type="submit" secondary>
              Show this phone’s messages
            </Button>
          </form>
          {phone && (
            <>
              <form onSubmit={reply} noValidate aria-labelledby="reply-heading">
                <h2 className="nhsuk-heading-m" id="reply-heading">
                  Reply as the patient
                </h2>
                <Textarea
                  id="message"
                  name="message"
                  label="Text message"
                  hint="For example YES, STOP or START"
                  rows={3}
                  value={message}
                  onChange={(e) => setMessage(e.target.value)}
                  error={errors.message}
                />
                <Button type="submit" disabled={busy}>
                  Send from this phone
                </Button>
              </form>
              {failure && <ErrorMessage error={failure} title="The reply was not sent" />}
              <div aria-live="polite">
                {sent && (
                  <div className="nhsuk-inset-text cw-sms-outcome">
                    <span className="nhsuk-u-visually-hidden">Information: </span>
                    <p>
                      Sent “{sent.body}”. {describeOutcome(sent.outcome)}
                    </p>
                  </div>
                )}
              </div>
              <Conversation phone={phone} />
            </>
          )}
        </div>
      </div>
    </>
  );
}

/** The messages to and from one number, newest first. */
const conversationQuery = (phone: string) => ({
  queryKey: ['sms', phone],
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    api<{ messages: SmsMessage[] }>(`/api/sms/messages?${new URLSearchParams({ phone, _count: '50' }).toString()}`, {
      signal,
    }).then((answer) => answer.messages),
  // CareWeave texts the number on its own (reminders, replies to STOP): show them as they come.
  refetchInterval: POLL_MS,
});

/** The messages to and from one number, newest first, read again every few seconds. */
function Conversation({ phone }: { phone: string }) {
  const messages = useQuery(conversationQuery(phone));
  const shown = messages.data ?? [];
  return (
    <section aria-labelledby="conversation-heading">
      <h2 className="nhsuk-heading-m" id="conversation-heading">
        Messages for {shown[0] ? formatPhone(shown[0].phone) : phone}
      </h2>
      <p className="nhsuk-body-s">Newest first. This list updates every few seconds.</p>
      <Button type="button" secondary onClick={() => void messages.refetch()}>
        Refresh messages
      </Button>
      {messages.status === 'pending' && <Loading what="messages" />}
      {messages.status === 'error' && (
        <ErrorMessage
          error={messages.error}
          title={
            messages.error instanceof ApiError && messages.error.status === 400 ? 'Check the phone number' : undefined
          }
          onRetry={() => void messages.refetch()}
        />
      )}
      {messages.status === 'success' && shown.length === 0 && (
        <Empty>No text messages to or from this number yet.</Empty>
      )}
      {shown.length > 0 && (
        <ul className="nhsuk-list cw-sms">
          {shown.map((m) => (
            <li key={m.id} className={`nhsuk-card cw-sms__message cw-sms__message--${m.direction}`}>
              <div className="nhsuk-card__content">
                <p className="nhsuk-body-s nhsuk-u-margin-bottom-2">
                  <strong className={`nhsuk-tag ${m.direction === 'in' ? 'nhsuk-tag--grey' : 'nhsuk-tag--blue'}`}>
                    {describeDirection(m.direction)}
                  </strong>{' '}
                  {formatDateTime(m.createdAt)}
                </p>
                <p className="nhsuk-body cw-sms__body">{m.body}</p>
                <p className="nhsuk-body-s nhsuk-u-margin-bottom-0">{describeStatus(m)}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
