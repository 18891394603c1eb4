import { DateInput } from '../../../components/DateInput.tsx';
import type { DateParts } from './start-date.ts';

/** The NHS.UK date input for the first day texts may be sent. */
export function StartDateInput({
  value,
  error,
  onChange,
}: {
  value: DateParts;
  error?: string;
  onChange: (value: DateParts) => void;
}) {
  return (
    <DateInput
      id="start"
      legend="Start date"
      hint="The first day texts may be sent, for example 7 12 2026. The first text goes at the protocol’s next time on or after it."
      value={value}
      error={error}
      onChange={onChange}
    />
  );
}
