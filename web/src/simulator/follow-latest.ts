// Keeps a scrolling list (the Chat's and the Phone's transcripts) on its latest line as lines
// arrive, unless the reader has scrolled up to read: then it stays where they are until they come
// back to the bottom. Only the list scrolls, never the panel or the page around it.
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/** How close to the bottom (px) still counts as at the bottom: rounding, a line half arrived. */
const AT_BOTTOM_PX = 24;

function atBottom(list: HTMLElement): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight <= AT_BOTTOM_PX;
}

/**
 * Follows the latest line of `ref`'s list whenever `lines` changes (its count, or a key of what it
 * shows), while the list was at its bottom before the change. `restart` (a new call, another
 * contact) follows again whatever the reader had scrolled to.
 */
export function useFollowLatest(ref: RefObject<HTMLElement | null>, lines: unknown, restart?: unknown): void {
  const following = useRef(true);

  // Where the reader is, kept as they scroll (our own scrolling lands at the bottom, so it keeps following).
  useEffect(() => {
    const list = ref.current;
    if (!list) return;
    const onScroll = () => {
      following.current = atBottom(list);
    };
    list.addEventListener('scroll', onScroll, { passive: true });
    return () => list.removeEventListener('scroll', onScroll);
  }, [ref]);

  useLayoutEffect(() => {
    following.current = true;
  }, [restart]);

  // Before paint, so the new line is never drawn out of view first.
  useLayoutEffect(() => {
    const list = ref.current;
    if (list && following.current) list.scrollTop = list.scrollHeight;
  }, [ref, lines, restart]);
}
