// The editor's undo history: typing on in one field is one step; a pause, another field, any other
// edit, or an undo starts a new one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIMIT, TYPING_PAUSE_MS, edit, redo, startHistory, undo, type HistoryState } from '../../web/src/editor/history.ts';

/** Types `text` into `field` one character a `gap` ms apart, from `start`. */
function type(s: HistoryState<string>, field: string, text: string, start: number, gap = 100): HistoryState<string> {
  let state = s;
  for (let i = 0; i < text.length; i++) state = edit(state, (state.value ?? '') + text[i], field, start + i * gap);
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
    s = edit(s, 'moved', undefined, 10_200);
    s = edit(s, 'moved!', 'b', 10_300);
    assert.deepEqual(s.past, ['', 'ab', 'abcd', 'abcdef', 'moved']);
    s = undo(s);
    s = edit(s, 'moved?', 'b', 10_400);
    assert.deepEqual(s.past, ['', 'ab', 'abcd', 'abcdef', 'moved']);
    assert.equal(s.value, 'moved?');
    assert.deepEqual(s.future, []);
  });

  it('keeps at most LIMIT steps, and ignores an edit that changes nothing', () => {
    let s = startHistory('0');
    for (let i = 1; i <= LIMIT + 20; i++) s = edit(s, String(i));
    assert.equal(s.past.length, LIMIT);
    assert.equal(edit(s, s.value!), s);
  });
});
