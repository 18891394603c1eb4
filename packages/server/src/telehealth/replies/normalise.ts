/**
 * Text as people really type it, made regular before anything reads numbers from it: full-width
 * digits and letters (a phone set to Japanese or Chinese input) become ASCII by Unicode NFKC; curly
 * quotes, dashes and odd spaces become plain ones; clock times ("at 8:30", "7am") are removed so they
 * are never read as readings; and everything is lower case.
 */
export function normaliseReply(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\u2018\u2019\u201c\u201d`]/g, "'")
      .replace(/[\u2010-\u2015\u2212]/g, '-')
      .replace(/[\u00a0\u2000-\u200b\u3000\t\r\n]+/g, ' ')
      // Clock times: "8:30", "08:30am", "7am", "7.30pm" (a reading never carries am/pm or a colon).
      .replace(/\b\d{1,2}:\d{2}\s*(am|pm)?\b/g, ' ')
      .replace(/\b\d{1,2}(\.\d{2})?\s*(am|pm)\b/g, ' ')
      // Dates: 06/12/2026, 6/12/26 (three numbers with two slashes and a year).
      .replace(/\b\d{1,2}\/\d{1,2}\/(\d{4}|\d{2})\b(?!\s*(\/|over))/g, (match) =>
        isReadingTriple(match) ? match : ' ',
      )
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** "140/90/72" is a blood pressure and pulse, not a date. */
function isReadingTriple(match: string): boolean {
  const [a, b, c] = match.split('/').map(Number);
  return a! >= 50 && b! >= 20 && c! >= 20 && c! <= 250 && String(c).length <= 3 && a! > 31;
}

const WORD_NUMBERS: Record<string, number> = {
  zero: 0,
  none: 0,
  nil: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

/** A small number written as a word ("two"), for scores. */
export function wordNumber(word: string): number | undefined {
  return WORD_NUMBERS[word];
}
