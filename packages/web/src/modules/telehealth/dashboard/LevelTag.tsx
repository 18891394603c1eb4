import type { Level } from './api.ts';

const TAGS: Record<Level | 'none', { text: string; className: string }> = {
  red: { text: 'Red', className: 'nhsuk-tag--red' },
  amber: { text: 'Amber', className: 'nhsuk-tag--yellow' },
  green: { text: 'Green', className: 'nhsuk-tag--green' },
  none: { text: 'No readings', className: 'nhsuk-tag--grey' },
};

/** A level as an NHS.UK tag: the word says it, the colour only repeats it (WCAG 1.4.1). */
export function LevelTag({ level }: { level: Level | 'none' }) {
  const tag = TAGS[level];
  return <strong className={`nhsuk-tag ${tag.className}`}>{tag.text}</strong>;
}
