// Unsaved work that leaving would lose. A page with such work holds a guard while it lasts, with a
// check run at the moment of leaving (so work still being typed can count). Leaving then asks first:
// following a link inside the console (a click caught before the router sees it), the browser's Back
// and Forward (a popstate listener registered when this module loads, so before the router's own:
// listeners on window run in the order they were added) and closing the tab; actions that leave other
// than by the browser's navigation, such as signing out, call confirmLeave().
interface Guard {
  question: string;
  /** Where the page with the unsaved work is, to go back to when the user stays. */
  here: string;
  /** Whether there is work to lose right now. */
  pending: () => boolean;
}

const held = new Set<Guard>();

function currentUrl(): string {
  return window.location.pathname + window.location.search + window.location.hash;
}

/** The first guard with work to lose now, if any. */
function pendingGuard(): Guard | undefined {
  for (const guard of held) if (guard.pending()) return guard;
  return undefined;
}

/**
 * Holds a guard with the question to ask; returns its release. `pending` is asked at the moment of
 * leaving; without it, the work is unsaved for as long as the guard is held.
 */
export function holdLeaveGuard(question: string, pending: () => boolean = () => true): () => void {
  const guard = { question, here: currentUrl(), pending };
  held.add(guard);
  // Only while a guard is held: a beforeunload listener keeps some browsers from caching the page.
  if (held.size === 1) window.addEventListener('beforeunload', onBeforeUnload);
  return () => {
    held.delete(guard);
    if (held.size === 0) window.removeEventListener('beforeunload', onBeforeUnload);
  };
}

/** True when there is nothing to lose, or the user agrees to lose it. */
export function confirmLeave(): boolean {
  const guard = pendingGuard();
  return !guard || window.confirm(guard.question);
}

/**
 * Whether following this link leaves the page. A download (an Export's blob: link with a `download`
 * attribute) does not, nor does a link opening another tab or window (target, or a modified click, as
 * the router also leaves to the browser), nor a jump within the page.
 */
export function leavesPage(link: Element, event: MouseEvent): boolean {
  const href = link.getAttribute('href') ?? '';
  if (link.hasAttribute('download') || /^(blob|data|javascript):/i.test(href) || href.startsWith('#')) return false;
  const target = link.getAttribute('target');
  if (target && target !== '_self') return false;
  return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
}

function onBeforeUnload(event: BeforeUnloadEvent): void {
  if (pendingGuard()) event.preventDefault();
}

if (typeof window !== 'undefined') {
  window.addEventListener(
    'popstate',
    (event) => {
      const guard = pendingGuard();
      if (!guard || window.confirm(guard.question)) return;
      // The browser has already moved: keep the router from following, and put the page back on top.
      event.stopImmediatePropagation();
      window.history.pushState(null, '', guard.here);
    },
    true,
  );
  // Captured on the document, before React's listener on its root (where the router's links act).
  document.addEventListener(
    'click',
    (event) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!link || !leavesPage(link, event)) return;
      if (confirmLeave()) return;
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
}
