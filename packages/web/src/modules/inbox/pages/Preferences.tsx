import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, TextInput } from 'nhsuk-react-components';
import { useRef, useState, type FormEvent } from 'react';
import { ErrorMessage, Notice } from '../../../components/feedback.tsx';
import { PageTitle } from '../../../components/PageTitle.tsx';
import { QueryStatus } from '../../../components/QueryStatus.tsx';
import { isMissing, preferencesQuery, savePreferences, type Preferences as Saved } from '../api.ts';
import { KindFieldset } from '../KindFieldset.tsx';
import { NotYetAvailable } from '../NotYetAvailable.tsx';
import { toForm, toPreferences, validate, type FormErrors, type PreferencesForm } from '../preferences-form.ts';
import { ErrorSummary } from '../../../components/ErrorSummary.tsx';

/** How and when each kind of notification is sent: channels, straight away or daily, quiet hours. */
export default function Preferences() {
  const preferences = useQuery(preferencesQuery);
  // Here, not in the form: the form starts afresh from what the server saved, and the notice stays.
  const [saved, setSaved] = useState(false);
  return (
    <>
      <PageTitle>Notification settings</PageTitle>
      <p className="nhsuk-body">
        <a href="/inbox">Back to your inbox</a>
      </p>
      {isMissing(preferences.error) ? (
        <NotYetAvailable then="When they are, you can choose here how and when you are told." />
      ) : preferences.status === 'success' ? (
        <>
          {saved && <Notice title="Your notification settings have been saved." />}
          {/* A fresh form for each saved version: it starts from what the server holds (a phone number in E.164). */}
          <Editor
            key={preferences.dataUpdatedAt}
            saved={preferences.data}
            onSaved={() => {
              setSaved(true);
              // The form is long: the notice at the top is where the eye should go next.
              window.scrollTo(0, 0);
            }}
          />
        </>
      ) : (
        <QueryStatus query={preferences} what="your settings" errorTitle="Your settings could not be loaded" />
      )}
    </>
  );
}

function Editor({ saved, onSaved }: { saved: Saved; onSaved: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<PreferencesForm>(() => toForm(saved));
  const [errors, setErrors] = useState<FormErrors>({});
  const summary = useRef<HTMLDivElement>(null);
  const saving = useMutation({
    mutationFn: savePreferences,
    onSuccess: (answer) => {
      onSaved();
      queryClient.setQueryData(preferencesQuery.queryKey, answer);
    },
  });
  const change = (changes: Partial<PreferencesForm>): void => setForm((current) => ({ ...current, ...changes }));

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const problems = validate(form);
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      // The NHS.UK pattern: the summary takes focus, so screen readers read the problems at once.
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    saving.mutate(toPreferences(form));
  };

  return (
    <>
      <ErrorSummary errors={errors} ref={summary} />
      {saving.error && <ErrorMessage error={saving.error} title="Your settings were not saved" />}
      <form onSubmit={submit} noValidate>
        <div className="nhsuk-inset-text">
          <span className="nhsuk-u-visually-hidden">Information: </span>
          <p>Everything is always kept in your inbox. You can also be told by text message or email.</p>
        </div>
        {form.kinds.map((kind, index) => (
          <KindFieldset
            key={kind.kind}
            kind={kind}
            onChange={(next) => change({ kinds: form.kinds.map((k, i) => (i === index ? next : k)) })}
          />
        ))}
        <h2 className="nhsuk-heading-m">Your contact details</h2>
        <TextInput
          id="phone"
          label="Mobile phone number"
          hint="Needed for text messages. For example, 07700 900123"
          type="tel"
          autoComplete="tel"
          width={20}
          value={form.phone}
          onChange={(e) => change({ phone: e.target.value })}
          error={errors.phone}
        />
        <TextInput
          id="email"
          label="Email address"
          hint="Needed for emails"
          type="email"
          autoComplete="email"
          spellCheck={false}
          width={30}
          value={form.email}
          onChange={(e) => change({ email: e.target.value })}
          error={errors.email}
        />
        <Timing form={form} errors={errors} onChange={change} />
        <Button type="submit" disabled={saving.isPending}>
          Save settings
        </Button>
      </form>
    </>
  );
}

/** The daily summary's time and quiet hours, in UK time. */
function Timing({
  form,
  errors,
  onChange,
}: {
  form: PreferencesForm;
  errors: FormErrors;
  onChange: (changes: Partial<PreferencesForm>) => void;
}) {
  return (
    <>
      <h2 className="nhsuk-heading-m">When you are told</h2>
      <TextInput
        id="digest-time"
        label="Time of the daily summary"
        hint="A 24-hour time in UK time, like 08:00"
        inputMode="numeric"
        width={5}
        value={form.digestTime}
        onChange={(e) => onChange({ digestTime: e.target.value })}
        error={errors['digest-time']}
      />
      <div className="nhsuk-form-group">
        <div className="nhsuk-checkboxes">
          <div className="nhsuk-checkboxes__item">
            <input
              className="nhsuk-checkboxes__input"
              id="quiet-on"
              type="checkbox"
              checked={form.quietOn}
              aria-controls="quiet-hours"
              aria-expanded={form.quietOn}
              aria-describedby="quiet-on-hint"
              onChange={(e) => onChange({ quietOn: e.target.checked })}
            />
            <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor="quiet-on">
              Use quiet hours
            </label>
            <div className="nhsuk-hint nhsuk-checkboxes__hint" id="quiet-on-hint">
              No text messages or emails are sent during quiet hours. They wait until the quiet hours end.
            </div>
          </div>
          <div
            className={`nhsuk-checkboxes__conditional${form.quietOn ? '' : ' nhsuk-checkboxes__conditional--hidden'}`}
            id="quiet-hours"
          >
            <TextInput
              id="quiet-start"
              label="Quiet hours start"
              hint="A 24-hour time in UK time, like 21:00"
              inputMode="numeric"
              width={5}
              value={form.quietStart}
              onChange={(e) => onChange({ quietStart: e.target.value })}
              error={errors['quiet-start']}
            />
            <TextInput
              id="quiet-end"
              label="Quiet hours end"
              hint="A 24-hour time in UK time, like 07:00"
              inputMode="numeric"
              width={5}
              value={form.quietEnd}
              onChange={(e) => onChange({ quietEnd: e.target.value })}
              error={errors['quiet-end']}
            />
          </div>
        </div>
      </div>
    </>
  );
}
