// The editor's undo history: typing on in one field (or moving one widget with the arrow keys) is
// one step, and so are the edits of one batch; a pause, another field, any other edit, or an undo
// starts a new one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIMIT, TYPING_PAUSE_MS, edit, redo, startHistory, undo, type HistoryState } from '../../web/src/editor/history.ts';

/** Types `text` into `field` one character a `gap` ms apart, from `start`. */
function type(s: HistoryState<string>, field: string, text: string, start: number, gap = 100): HistoryState<string> {
  let state = s;
  for (let i = 0; i < text.length; i++) state = edit(state, (state.value ?? '') + text[i], { field, now: start + i * gap });
  return state;
}

describe('editor undo history', () => {
  it('takes back a word typed into one field in one undo, and brings it back in one redo', () => {
    const typed = type(startHistory(''), 'say_1/say', 'Hello', 0);
    assert.equal(typed.value, 'Hello');
    assert.equal(typed.past.length, 1);
    const undone = undo(typed);
    assert.equal(undone.value, '');
    assert.equal(redo(undone).value, 'Hello');
  });

  it('starts a new step after a pause, in another field, after another kind of edit, and after an undo', () => {
    let s = type(startHistory(''), 'a', 'ab', 0);
    s = type(s, 'a', 'cd', 100 + TYPING_PAUSE_MS + 1);
    assert.deepEqual(s.past, ['', 'ab']);
    s = type(s, 'b', 'ef', 10_000);
    assert.deepEqual(s.past, ['', 'ab', 'abcd']);
    s = edit(s, 'moved', { now: 10_200 });
    s = edit(s, 'moved!', { field: 'b', now: 10_300 });
    assert.deepEqual(s.past, ['', 'ab', 'abcd', 'abcdef', 'moved']);
    s = undo(s);
    s = edit(s, 'moved?', { field: 'b', now: 10_400 });
    assert.deepEqual(s.past, ['', 'ab', 'abcd', 'abcdef', 'moved']);
    assert.equal(s.value, 'moved?');
    assert.deepEqual(s.future, []);
  });

  it('makes the edits of one batch one step: a widget deleted together with its connections', () => {
    let s = edit(startHistory('widget+edges'), 'widget', { batch: 1 });
    s = edit(s, '', { batch: 1 });
    assert.deepEqual(s.past, ['widget+edges']);
    s = undo(s);
    assert.equal(s.value, 'widget+edges');
    assert.deepEqual(redo(s).value, '');
  });

  it('starts a new step for the next batch, for an edit of no batch, and after an undo in the batch', () => {
    let s = edit(startHistory('0'), '1', { batch: 1 });
    s = edit(s, '2', { batch: 2 });
    s = edit(s, '3');
    s = edit(s, '4', { batch: 3 });
    assert.deepEqual(s.past, ['0', '1', '2', '3']);
    s = undo(s);
    s = edit(s, '5', { batch: 3 });
    assert.deepEqual(s.past, ['0', '1', '2', '3']);
    assert.equal(s.value, '5');
  });

  it('joins arrow-key moves of one widget in a row, until a pause or another edit', () => {
    const field = 'moving:say_1';
    let s = startHistory('x0');
    for (let i = 1; i <= 5; i++) s = edit(s, `x${i * 5}`, { field, now: i * 200, batch: i });
    assert.deepEqual(s.past, ['x0'], 'five presses, one step');
    s = edit(s, 'x30', { field, now: 1000 + TYPING_PAUSE_MS + 1, batch: 6 });
    assert.deepEqual(s.past, ['x0', 'x25'], 'a pause starts a new step');
    s = edit(s, 'dragged', { now: 2600, batch: 7 });
    s = edit(s, 'x35', { field, now: 2700, batch: 8 });
    assert.deepEqual(s.past, ['x0', 'x25', 'x30', 'dragged'], 'another edit ends the run');
  });

  it('keeps at most LIMIT steps, and ignores an edit that changes nothing', () => {
    let s = startHistory('0');
    for (let i = 1; i <= LIMIT + 20; i++) s = edit(s, String(i));
    assert.equal(s.past.length, LIMIT);
    assert.equal(edit(s, s.value!), s);
  });
});
