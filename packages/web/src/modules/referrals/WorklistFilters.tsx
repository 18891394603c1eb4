import { useState } from 'react';
import { useNavigate } from 'react-router';
import { PRIORITY_NAMES, SPECIALTIES } from './vocabulary.ts';

const FILTERS = {
  priority: {
    label: 'Priority',
    all: 'All',
    options: (Object.keys(PRIORITY_NAMES) as (keyof typeof PRIORITY_NAMES)[]).map((p) => ({
      value: p,
      label: PRIORITY_NAMES[p],
    })),
  },
  specialty: { label: 'Specialty', all: 'All', options: SPECIALTIES.map((s) => ({ value: s.code, label: s.name })) },
  side: {
    label: 'Whose referrals',
    all: 'Ours (by default)',
    options: [
      { value: 'referrer', label: 'Referrals we made' },
      { value: 'provider', label: 'Referrals to us' },
    ],
  },
} as const;
type FilterKey = keyof typeof FILTERS;

/** The worklist's filters; the URL holds them, so a filtered list can be reloaded or shared. */
export function WorklistFilters({ list, filters }: { list: string; filters: Record<string, string> }) {
  const navigate = useNavigate();
  const [chosen, setChosen] = useState<Record<string, string>>(filters);
  return (
    <form
      className="cw-filters nhsuk-u-margin-bottom-4"
      onSubmit={(event) => {
        event.preventDefault();
        const query = Object.fromEntries(Object.entries({ list, ...chosen }).filter(([, v]) => v));
        void navigate(`/referrals?${new URLSearchParams(query).toString()}`);
      }}
    >
      {(Object.keys(FILTERS) as FilterKey[]).map((key) => (
        <div className="nhsuk-form-group" key={key}>
          <label className="nhsuk-label" htmlFor={`filter-${key}`}>
            {FILTERS[key].label}
          </label>
          <select
            className="nhsuk-select"
            id={`filter-${key}`}
            value={chosen[key] ?? ''}
            onChange={(e) => setChosen({ ...chosen, [key]: e.target.value })}
          >
            <option value="">{FILTERS[key].all}</option>
            {FILTERS[key].options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" className="nhsuk-button nhsuk-button--secondary">
        Apply filters
      </button>
    </form>
  );
}
