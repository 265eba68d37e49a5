// Where the canvas goes when a widget is selected from outside it (a step of the timeline, "Go to"):
// web/src/editor/viewport.ts viewportShowing pans, at the same zoom, to a widget not on screen whole,
// and leaves the view alone when it is.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { viewportShowing } from '../../web/src/editor/viewport.ts';

const SCREEN = { width: 1000, height: 600 };
const onScreen = (view: { x: number; y: number; zoom: number }, box: { x: number; y: number; width: number; height: number }) => {
  const left = box.x * view.zoom + view.x;
  const top = box.y * view.zoom + view.y;
  return left >= 0 && top >= 0 && left + box.width * view.zoom <= SCREEN.width && top + box.height * view.zoom <= SCREEN.height;
};

describe('canvas follows the selection', () => {
  it('leaves the view alone when the widget is on screen', () => {
    const view = { x: 40, y: 40, zoom: 1 };
    assert.equal(viewportShowing(view, { x: 100, y: 100, width: 230, height: 120 }, SCREEN.width, SCREEN.height), null);
  });

  it('pans to a widget off screen (or cut by the edge), keeping the zoom, and centres it', () => {
    for (const [view, box] of [
      [{ x: 40, y: 40, zoom: 0.8 }, { x: 6000, y: 3000, width: 230, height: 120 }],
      [{ x: 40, y: 40, zoom: 1 }, { x: -900, y: 50, width: 230, height: 120 }],
      [{ x: 0, y: 0, zoom: 1.5 }, { x: 600, y: 100, width: 230, height: 120 }], // cut by the right edge
    ] as const) {
      assert.equal(onScreen(view, box) && box.x * view.zoom + view.x + box.width * view.zoom <= SCREEN.width - 16, false);
      const next = viewportShowing(view, box, SCREEN.width, SCREEN.height)!;
      assert.ok(next, JSON.stringify(box));
      assert.equal(next.zoom, view.zoom);
      assert.ok(onScreen(next, box), JSON.stringify({ next, box }));
      const centerX = (box.x + box.width / 2) * next.zoom + next.x;
      const centerY = (box.y + box.height / 2) * next.zoom + next.y;
      assert.equal(centerX, SCREEN.width / 2);
      assert.equal(centerY, SCREEN.height / 2);
    }
  });

  it('shows the top of a widget taller than the screen', () => {
    const next = viewportShowing({ x: 0, y: 0, zoom: 1 }, { x: 0, y: 2000, width: 230, height: 900 }, SCREEN.width, SCREEN.height)!;
    assert.equal(2000 * next.zoom + next.y, 40);
  });

  it('does nothing before the canvas has a size', () => {
    assert.equal(viewportShowing({ x: 0, y: 0, zoom: 1 }, { x: 6000, y: 0, width: 230, height: 120 }, 0, 0), null);
  });
});
