// Where the editor puts a new widget (web/src/editor/placement.ts): never on or against another
// widget, whatever their sizes; inside the view when there is room; else below everything.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WIDGET_GAP, freeSpot, type Rect } from '../../web/src/editor/placement.ts';

const SIZE = { width: 340, height: 220 };
const clear = (spot: { x: number; y: number }, taken: Rect[]) =>
  taken.every((t) => spot.x >= t.x + t.width + WIDGET_GAP || spot.x + SIZE.width + WIDGET_GAP <= t.x || spot.y >= t.y + t.height + WIDGET_GAP || spot.y + SIZE.height + WIDGET_GAP <= t.y);

describe('placing a new widget', () => {
  it('centres it on the point when nothing is there', () => {
    assert.deepEqual(freeSpot([], SIZE, { x: 500, y: 300 }, { x: 0, y: 0, width: 1200, height: 800 }), { x: 330, y: 190 });
  });

  it('keeps clear of a wide widget (Send & Wait is some 300 px) sitting on the point, and of its neighbours', () => {
    const taken = [
      { x: 350, y: 200, width: 310, height: 120 },
      { x: 0, y: 200, width: 300, height: 200 },
      { x: 700, y: 150, width: 320, height: 260 },
    ];
    const spot = freeSpot(taken, SIZE, { x: 500, y: 260 }, { x: -400, y: -400, width: 2000, height: 1400 });
    assert.ok(clear(spot, taken), JSON.stringify(spot));
  });

  it('prefers a spot inside the view to a nearer one outside it', () => {
    const view = { x: 0, y: 0, width: 1000, height: 700 };
    // The middle and everything above it is taken; room is left only at the bottom of the view.
    const taken = [{ x: 0, y: -1000, width: 1000, height: 1400 }];
    const spot = freeSpot(taken, SIZE, { x: 500, y: 233 }, view);
    assert.ok(clear(spot, taken));
    assert.ok(spot.y >= 440 && spot.y + SIZE.height <= 700, JSON.stringify(spot));
  });

  it('goes below every widget when no spot near the point is free', () => {
    const taken = [{ x: -5000, y: -5000, width: 10000, height: 10000 }];
    assert.deepEqual(freeSpot(taken, SIZE, { x: 0, y: 0 }, null), { x: -170, y: 5000 + WIDGET_GAP });
  });
});
