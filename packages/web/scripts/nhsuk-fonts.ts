import type { Plugin } from 'vite';

/** A CSS `@font-face` rule (they hold no nested braces). */
const FONT_FACE = /@font-face\s*\{[^}]*\}/g;

/**
 * The NHS.UK stylesheet without its `@font-face` rules that load fonts from another origin
 * (Frutiger from https://assets.nhs.uk/fonts/). nhsuk-frontend does not ship the font files, and
 * the app's Content-Security-Policy (`font-src 'self' data:`) rightly refuses other origins, so
 * those rules only produced refused requests. Without them the stylesheet's own font stack applies:
 * "Frutiger W01" where it is installed on the device, otherwise Arial, then sans-serif.
 */
export function withoutRemoteFonts(css: string): string {
  return css.replace(FONT_FACE, (rule) => (/url\(\s*['"]?(https?:)?\/\//i.test(rule) ? '' : rule));
}

/** Vite plugin: applies `withoutRemoteFonts` to nhsuk-frontend's CSS before Vite bundles it. */
export function nhsukLocalFonts(): Plugin {
  return {
    name: 'careweave-nhsuk-local-fonts',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0]!;
      if (!/[\\/]nhsuk-frontend[\\/].*\.css$/.test(file)) {
        return undefined;
      }
      return { code: withoutRemoteFonts(code), map: null };
    },
  };
}
