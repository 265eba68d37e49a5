// Where a screen-reader or keyboard user is after moving to another page: the tab's title names the
// page, and focus moves to the page's heading (a single-page app otherwise leaves it on the link
// followed, or on <body> once that link is gone, and says nothing).
import { useEffect, useRef } from 'react';

const APP = 'Switchboard';

/** The title for a page: its own parts, most specific first, then the console's name. */
export function pageTitle(parts: readonly (string | null | undefined)[]): string {
  return [...parts.filter((part): part is string => !!part), APP].join(' · ');
}

/**
 * Sets the tab's title while the page is shown. `null` leaves it alone: a page showing a child page
 * instead (a flow that could not be loaded shows a ProblemPage, which sets its own).
 */
export function usePageTitle(parts: readonly (string | null | undefined)[] | null): void {
  const title = parts === null ? null : pageTitle(parts);
  useEffect(() => {
    if (title !== null) document.title = title;
  }, [title]);
}

/** How long a page may take to show its heading (it loads first) before focus is left where it is. */
const HEADING_WAIT_MS = 10_000;

/**
 * Moves focus to the heading of the page shown in `container` once it has one, whenever `route`
 * changes; on the first page shown only when `onFirst` (the console just signed in: the sign-in form
 * that had focus is gone), else the browser starts at the top as usual. Focus is only moved when the
 * user has not moved it since: typing into the new page before its heading came is not interrupted.
 */
export function useFocusHeadingOnRoute(route: string, container: () => HTMLElement | null, onFirst = false): void {
  const shown = useRef<string | null>(null);
  useEffect(() => {
    const previous = shown.current;
    shown.current = route;
    if (previous === route || (previous === null && !onFirst)) return;
    const before = document.activeElement;
    const focusHeading = (): boolean => {
      const heading = container()?.querySelector<HTMLElement>('h1');
      if (!heading) return false;
      const now = document.activeElement;
      // Moved since (a click, a key): leave it. Gone (the link followed was on the last page) counts as not moved.
      if (now !== before && now !== document.body && now !== null && now.isConnected) return true;
      if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
      heading.focus();
      return true;
    };
    if (focusHeading()) return;
    const root = container();
    if (!root) return;
    const observer = new MutationObserver(() => {
      if (focusHeading()) stop();
    });
    const timer = setTimeout(() => stop(), HEADING_WAIT_MS);
    const stop = () => {
      observer.disconnect();
      clearTimeout(timer);
    };
    observer.observe(root, { childList: true, subtree: true });
    return stop;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [route]);
}
