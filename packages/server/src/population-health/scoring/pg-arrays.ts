/**
 * PostgreSQL array literals built directly, for column arrays of thousands of elements (node-postgres
 * serialises arrays element by element through its generic value path). The text is what node-postgres
 * itself would send: numbers as JavaScript prints them (shortest exact form), strings double-quoted
 * with `\` and `"` escaped, null as NULL.
 */

/** `{1,2.5,NULL}` for an int[] or float8[] parameter. */
export function numberArray(values: readonly (number | null)[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    text += (i === 0 ? '' : ',') + (value === null || value === undefined ? 'NULL' : String(value));
  }
  return `${text}}`;
}

const SPECIAL = /[\\"]/g;

/** `{"a","b \\"c\\"",NULL}` for a text[] parameter. */
export function textArray(values: readonly (string | null)[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    text +=
      (i === 0 ? '' : ',') +
      (value === null || value === undefined ? 'NULL' : `"${value.replace(SPECIAL, (c) => `\\${c}`)}"`);
  }
  return `${text}}`;
}
