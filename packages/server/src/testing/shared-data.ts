import fs from 'node:fs';
import path from 'node:path';

/**
 * The workplace's shared public test data (Synthea bundles, UK Core examples, NHS number vectors),
 * which lives beside the repository (`../shared/data`), not in it. CAREWEAVE_SHARED_DATA overrides;
 * otherwise the first of: beside this checkout, then /work/shared/data (a clone made elsewhere on
 * the same machine, as CI's may be).
 */
export const SHARED_DATA: string = (() => {
  const candidates = [
    process.env['CAREWEAVE_SHARED_DATA'],
    path.resolve(import.meta.dirname, '../../../../../shared/data'),
    '/work/shared/data',
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => fs.existsSync(dir));
  if (!found) {
    throw new Error(`The shared test data is missing: looked in ${candidates.join(', ')} (set CAREWEAVE_SHARED_DATA)`);
  }
  return found;
})();
