import { Link } from 'react-router';

/** The module's pages, as a secondary navigation (the current one marked). */
export function SectionNav({ current }: { current: 'messages' | 'reminders' | 'recalls' | 'templates' }) {
  const items = [
    ['messages', '/practice-sms', 'Messages'],
    ['reminders', '/practice-sms/reminders', 'Reminders'],
    ['recalls', '/practice-sms/recalls', 'Recalls'],
    ['templates', '/practice-sms/templates', 'Templates'],
  ] as const;
  return (
    <nav aria-label="Practice texts" className="nhsuk-u-margin-bottom-5">
      <ul className="nhsuk-list cw-practice-sms-nav">
        {items.map(([key, path, label]) => (
          <li key={key} style={{ display: 'inline-block', marginRight: '1.5rem' }}>
            {key === current ? <strong aria-current="page">{label}</strong> : <Link to={path}>{label}</Link>}
          </li>
        ))}
      </ul>
    </nav>
  );
}
