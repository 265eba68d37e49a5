// Unsaved work that leaving would lose. A page with such work holds a guard while it lasts. The
// browser's Back and Forward then ask first (a popstate listener registered when this module loads,
// so before the router's own: listeners on window run in the order they were added); actions that
// leave other than by the browser's navigation, such as signing out, call confirmLeave().
interface Guard {
  question: string;
  /** Where the page with the unsaved work is, to go back to when the user stays. */
  here: string;
}

const held = new Set<Guard>();

function currentUrl(): string {
  return window.location.pathname + window.location.search + window.location.hash;
}

/** Holds a guard with the question to ask; returns its release. */
export function holdLeaveGuard(question: string): () => void {
  const guard = { question, here: currentUrl() };
  held.add(guard);
  return () => void held.delete(guard);
}

/** True when there is nothing to lose, or the user agrees to lose it. */
export function confirmLeave(): boolean {
  const first = held.values().next();
  return first.done || window.confirm(first.value.question);
}

if (typeof window !== 'undefined') {
  window.addEventListener(
    'popstate',
    (event) => {
      const first = held.values().next();
      if (first.done || window.confirm(first.value.question)) return;
      // The browser has already moved: keep the router from following, and put the page back on top.
      event.stopImmediatePropagation();
      window.history.pushState(null, '', first.value.here);
    },
    true,
  );
}
