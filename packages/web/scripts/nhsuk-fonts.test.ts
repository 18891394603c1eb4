import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { withoutRemoteFonts } from './nhsuk-fonts.ts';

const require = createRequire(import.meta.url);

describe('the NHS.UK stylesheet as the app bundles it', () => {
  const original = fs.readFileSync(require.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css'), 'utf8');
  const bundled = withoutRemoteFonts(original);

  it('loads nothing from another origin (the CSP allows fonts from the app itself only)', () => {
    expect(original).toContain('https://assets.nhs.uk/fonts/');
    expect(bundled).not.toMatch(/assets\.nhs\.uk/);
    expect(bundled).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
  });

  it('keeps the NHS.UK font stack and everything else', () => {
    expect(bundled).toContain('font-family:Frutiger W01,arial,sans-serif');
    expect(bundled).toContain('url(/assets/images/nhsuk-icon-cross.svg)');
    const removed = original.length - bundled.length;
    expect(removed).toBeGreaterThan(0);
    expect(removed).toBeLessThan(600);
  });

  it('leaves local and data: fonts alone', () => {
    const css =
      '@font-face{font-family:A;src:url(/fonts/a.woff2)}@font-face{font-family:B;src:url(data:font/woff2;base64,AA)}' +
      '@font-face{font-family:C;src:url("//cdn.example/c.woff2")}p{color:red}';
    expect(withoutRemoteFonts(css)).toBe(
      '@font-face{font-family:A;src:url(/fonts/a.woff2)}@font-face{font-family:B;src:url(data:font/woff2;base64,AA)}p{color:red}',
    );
  });
});
