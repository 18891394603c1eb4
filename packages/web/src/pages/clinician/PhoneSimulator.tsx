import { Button, Textarea, TextInput } from 'nhsuk-react-components';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { ApiError } from '../../api/errors.ts';
import { Empty, ErrorMessage, Loading } from '../../components/feedback.tsx';
import { PageTitle } from '../../components/PageTitle.tsx';
import { formatDateTime } from '../../lib/dates.ts';
import {
  checkPhone,
  describeDirection,
  describeOutcome,
  describeStatus,
  formatPhone,
  type InboundOutcome,
  type SmsMessage,
} from '../../lib/sms.ts';

const POLL_MS = 5000;
type Field = 'phone' | 'message';
type Errors = Partial<Record<Field, string>>;

/**
 * The demo's patient phone (docs/SMS.md): the texts CareWeave sent a number and the replies
 * simulated from it, and a form to reply as the patient. Loopback gateway only.
 */
export function PhoneSimulator() {
  const [phoneText, setPhoneText] = useState('');
  const [phone, setPhone] = useState<string>();
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [sent, setSent] = useState<{ body: string; outcome: InboundOutcome }>();
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const show = (problems: Errors): void => {
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      requestAnimationFrame(() => summary.current?.focus());
    }
  };

  const choose = (event: FormEvent): void => {
    event.preventDefault();
    const checked = checkPhone(phoneText);
    show(checked.valid ? {} : { phone: checked.error });
    setSent(undefined);
    setFailure(undefined);
    setPhone(checked.valid ? checked.value : undefined);
  };

  const reply = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!phone) {
      return;
    }
    if (!message.trim()) {
      show({ message: 'Enter the text message to send' });
      return;
    }
    show({});
    setBusy(true);
    setFailure(undefined);
    try {
      const answer = await api<{ outcome: InboundOutcome }>('/api/sms/loopback/inbound', {
        method: 'POST',
        body: { from: phone, body: message },
      });
      setSent({ body: message, outcome: answer.outcome });
      setMessage('');
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
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
              <form onSubmit={(e) => void reply(e)} noValidate aria-labelledby="reply-heading">
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
              <Conversation phone={phone} refreshKey={sent} />
            </>
          )}
        </div>
      </div>
    </>
  );
}

/** The messages to and from one number, newest first, read again every few seconds. */
function Conversation({ phone, refreshKey }: { phone: string; refreshKey: unknown }) {
  const [state, setState] = useState<
    { status: 'loading' } | { status: 'done'; messages: SmsMessage[] } | { status: 'error'; error: Error }
  >({ status: 'loading' });
  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const { messages } = await api<{ messages: SmsMessage[] }>(
          `/api/sms/messages?${new URLSearchParams({ phone, _count: '50' }).toString()}`,
          { signal },
        );
        setState({ status: 'done', messages });
      } catch (error) {
        if ((error as Error).name !== 'AbortError') {
          setState({ status: 'error', error: error as Error });
        }
      }
    },
    [phone],
  );
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    void load(controller.signal);
    const timer = setInterval(() => void load(controller.signal), POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [load, refreshKey]);

  const shown = state.status === 'done' ? state.messages : [];
  return (
    <section aria-labelledby="conversation-heading">
      <h2 className="nhsuk-heading-m" id="conversation-heading">
        Messages for {state.status === 'done' && shown[0] ? formatPhone(shown[0].phone) : phone}
      </h2>
      <p className="nhsuk-body-s">Newest first. This list updates every few seconds.</p>
      <Button type="button" secondary onClick={() => void load()}>
        Refresh messages
      </Button>
      {state.status === 'loading' && <Loading what="messages" />}
      {state.status === 'error' && (
        <ErrorMessage
          error={state.error}
          title={state.error instanceof ApiError && state.error.status === 400 ? 'Check the phone number' : undefined}
          onRetry={() => void load()}
        />
      )}
      {state.status === 'done' && shown.length === 0 && <Empty>No text messages to or from this number yet.</Empty>}
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
