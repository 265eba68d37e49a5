// In a short or narrow window the side panel sits under the canvas (styles.css, max-width: 900px), so
// selecting a widget changed nothing in view: its properties appeared below the fold. While a widget
// is selected and the panel's top is out of view below, a button at the window's bottom says so and
// scrolls to the properties (focus on the widget's name, so a keyboard user is taken there too).
import { useEffect, useState, type RefObject } from 'react';

/** How much of the panel must be in view (px from the window's bottom) before the hint goes. */
const IN_VIEW = 80;

export function PanelBelowHint({ body, widget }: { body: RefObject<HTMLElement | null>; widget: string | null }) {
  const [below, setBelow] = useState(false);
  useEffect(() => {
    const panel = body.current?.querySelector<HTMLElement>('.side-panel');
    if (!widget || !panel || typeof IntersectionObserver === 'undefined') {
      setBelow(false);
      return;
    }
    const observer = new IntersectionObserver(
      ([entry]) => {
        if (!entry) return;
        // Out of view below only: a panel scrolled past (above) has been seen.
        const bottom = entry.rootBounds?.bottom ?? window.innerHeight;
        setBelow(!entry.isIntersecting && entry.boundingClientRect.top >= bottom);
      },
      { rootMargin: `0px 0px -${IN_VIEW}px 0px` },
    );
    observer.observe(panel);
    return () => observer.disconnect();
  }, [body, widget]);
  if (!widget || !below) return null;
  return (
    <button
      type="button"
      className="panel-below-hint"
      onClick={() => {
        const panel = body.current?.querySelector<HTMLElement>('.side-panel');
        if (!panel) return;
        panel.scrollIntoView({ block: 'start' });
        panel.querySelector<HTMLElement>('input[name="widget-name"]')?.focus({ preventScroll: true });
      }}
    >
      <span aria-hidden="true">↓ </span>Properties of {widget} below
    </button>
  );
}
