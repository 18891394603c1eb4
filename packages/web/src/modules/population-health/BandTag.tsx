import type { Band } from './api.ts';
import { BAND_TEXT } from './format.ts';

/** A risk band as an NHS.UK tag: the word says it, the colour only repeats it (WCAG 1.4.1). */
export function BandTag({ band }: { band: Band }) {
  const text = BAND_TEXT[band] ?? { label: band, tag: 'nhsuk-tag--grey' };
  return <strong className={`nhsuk-tag ${text.tag}`}>{text.label}</strong>;
}
