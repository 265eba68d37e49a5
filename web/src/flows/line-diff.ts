// Side-by-side rows of a line diff of two definitions (pretty-printed JSON), built on jsdiff.
import { diffLines } from 'diff';

export interface DiffCell {
  number: number;
  text: string;
}

export interface DiffRow {
  kind: 'same' | 'changed' | 'added' | 'removed';
  left: DiffCell | null;
  right: DiffCell | null;
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? '';
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Aligns removed and added runs next to each other, so a changed line sits beside its new version. */
export function sideBySide(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let left = 1;
  let right = 1;
  let removed: string[] = [];
  const flushRemoved = (added: string[]) => {
    const n = Math.max(removed.length, added.length);
    for (let i = 0; i < n; i++) {
      const l = i < removed.length ? { number: left++, text: removed[i]! } : null;
      const r = i < added.length ? { number: right++, text: added[i]! } : null;
      rows.push({ kind: l && r ? 'changed' : l ? 'removed' : 'added', left: l, right: r });
    }
    removed = [];
  };
  for (const part of diffLines(before, after)) {
    const lines = splitLines(part.value);
    if (part.removed) {
      flushRemoved([]);
      removed = lines;
    } else if (part.added) {
      flushRemoved(lines);
    } else {
      flushRemoved([]);
      for (const text of lines) rows.push({ kind: 'same', left: { number: left++, text }, right: { number: right++, text } });
    }
  }
  flushRemoved([]);
  return rows;
}

/** Keeps changed rows and `context` unchanged rows around them; long unchanged runs become one gap. */
export function collapseUnchanged(rows: DiffRow[], context = 3): (DiffRow | { kind: 'gap'; hidden: number })[] {
  const keep = rows.map(() => false);
  rows.forEach((row, i) => {
    if (row.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(rows.length - 1, i + context); j++) keep[j] = true;
  });
  const out: (DiffRow | { kind: 'gap'; hidden: number })[] = [];
  let hidden = 0;
  rows.forEach((row, i) => {
    if (keep[i]) {
      if (hidden) out.push({ kind: 'gap', hidden });
      hidden = 0;
      out.push(row);
    } else hidden++;
  });
  if (hidden) out.push({ kind: 'gap', hidden });
  return out;
}

/**
 * The widget a line of a pretty-printed definition (prettyJson, lines 0-based) is in: its name, or null
 * for a line outside `states` (description, flags). A diff's lines alone did not say which widget's
 * "body" changed; the revisions page names it above each run of lines shown.
 */
export function widgetOfLine(lines: readonly string[], index: number): string | null {
  const stateEnd = /^ {4}\},?$/;
  let start = -1;
  for (let j = index; j >= 0; j--) {
    const line = lines[j]!;
    if (line === '    {') {
      start = j;
      break;
    }
    // Past the end of an earlier widget: the line is between widgets (or the end of this one's, at j = index).
    if (stateEnd.test(line) && j < index) return null;
    if (/^ {0,2}\S/.test(line)) return null;
  }
  if (start < 0) return null;
  for (let j = start + 1; j < lines.length && !stateEnd.test(lines[j]!); j++) {
    const name = /^ {6}"name": ("(?:[^"\\]|\\.)*"),?$/.exec(lines[j]!)?.[1];
    if (name) return JSON.parse(name) as string;
  }
  return null;
}
