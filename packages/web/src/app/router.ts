import { useSyncExternalStore } from 'react';

/**
 * A small history-API router: the app has a dozen pages, and plain `<a href>` links are
 * intercepted so every link works with a keyboard, opens in a new tab and needs no wrapper.
 */
const listeners = new Set<() => void>();
let location = snapshot();

function snapshot(): { pathname: string; search: string; key: string } {
  return {
    pathname: window.location.pathname,
    search: window.location.search,
    key: `${window.location.pathname}${window.location.search}`,
  };
}

let moved = false;

/** Whether the app has moved to another page since the last call (not the first page load). */
export function takeNavigated(): boolean {
  const was = moved;
  moved = false;
  return was;
}

function changed(): void {
  const next = snapshot();
  if (next.key !== location.key) {
    location = next;
    moved = true;
    listeners.forEach((listener) => listener());
  }
}

window.addEventListener('popstate', changed);

export function useLocation(): { pathname: string; search: string } {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => location,
  );
}

export function useQuery(): URLSearchParams {
  return new URLSearchParams(useLocation().search);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    window.history.replaceState(null, '', to);
  } else {
    window.history.pushState(null, '', to);
  }
  window.scrollTo(0, 0);
  changed();
}

/** `/patients/:id/timeline` against a path: the parameters, or undefined when it does not match. */
export function match(pattern: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const regex = new RegExp(
    `^${pattern.replace(/\/:([A-Za-z]+)/g, (_m, name: string) => {
      names.push(name);
      return '/([^/]+)';
    })}/?$`,
  );
  const found = regex.exec(pathname);
  return found ? Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)])) : undefined;
}

/** Turns same-origin link clicks into in-app navigation (ctrl/cmd/middle clicks still open tabs). */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
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
    navigate(url.pathname + url.search);
  });
}
