// A name cut short with an ellipsis (CSS text-overflow) ends at a whole character, and the ellipsis is
// drawn right after it: the rest of its box, up to a character's width, stays empty. Followed by more
// text on the line (a breadcrumb's " /"), that shows as a gap after the "…". This narrows the box to
// where the ellipsis ends; the text, its accessible name and a copy of it stay whole.
import { useLayoutEffect, type RefObject } from 'react';

let canvas: HTMLCanvasElement | null = null;

/** How wide `text` is drawn in `element`'s font. */
function textWidth(text: string, element: HTMLElement): number {
  const style = getComputedStyle(element);
  canvas ??= document.createElement('canvas');
  const context = canvas.getContext('2d');
  if (!context) return 0;
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  return context.measureText(text).width;
}

/** Offsets in `text` after each character as a reader sees it (an emoji, a letter with its accents). */
function characterEnds(text: string): number[] {
  const ends: number[] = [];
  for (const { index, segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) ends.push(index + segment.length);
  return ends;
}

/** Narrows `element` (one text node, cut with text-overflow: ellipsis by its max-width) to the text it shows. */
export function snugEllipsis(element: HTMLElement): void {
  element.style.maxWidth = '';
  const text = element.firstChild;
  if (element.childNodes.length !== 1 || !(text instanceof Text) || element.scrollWidth <= element.clientWidth) return;
  const style = getComputedStyle(element);
  // Padding and border: the box's own width, around its text (fractional, as clientWidth is not).
  const frame = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
  const ellipsis = textWidth('…', element);
  // The browser keeps the characters that end within the box less the ellipsis: the longest such start.
  const room = element.getBoundingClientRect().width - frame - ellipsis;
  const range = document.createRange();
  const widthTo = (end: number) => {
    range.setStart(text, 0);
    range.setEnd(text, end);
    return range.getBoundingClientRect().width;
  };
  const ends = characterEnds(text.data);
  let low = -1;
  let high = ends.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high + 1) / 2);
    if (widthTo(ends[middle]!) <= room) low = middle;
    else high = middle - 1;
  }
  const kept = low < 0 ? 0 : widthTo(ends[low]!);
  // Half a pixel spare: the same characters fit, and the box ends within it of the ellipsis.
  element.style.maxWidth = `${kept + ellipsis + frame + 0.5}px`;
}

/** Keeps the element `ref` holds snug to its cut text (see snugEllipsis) whenever `text` changes and once fonts load. */
export function useSnugEllipsis(ref: RefObject<HTMLElement | null>, text: string): void {
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    snugEllipsis(element);
    let live = true;
    void document.fonts?.ready.then(() => live && snugEllipsis(element));
    return () => {
      live = false;
    };
  }, [ref, text]);
}
