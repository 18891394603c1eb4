/**
 * Turns same-origin clicks on plain `<a href>` links into in-app navigation, so pages and modules
 * write ordinary links (they work with a keyboard, open in a new tab with ctrl/cmd/middle click, and
 * need no router import). API paths, downloads, `target` links and `data-external` ones are left alone.
 */
export function interceptLinks(navigate: (to: string) => unknown): () => void {
  const onClick = (event: MouseEvent): void => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.dataset.external !== undefined) {
      return;
    }
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin || /^\/(fhir|api|auth|\.well-known)\//.test(url.pathname)) {
      return;
    }
    if (url.pathname === window.location.pathname && url.hash) {
      return;
    }
    event.preventDefault();
    void navigate(url.pathname + url.search);
  };
  document.addEventListener('click', onClick);
  return () => document.removeEventListener('click', onClick);
}
