// A collapsible JSON tree built on <details>/<summary>, which browsers make keyboard operable
// (Tab to a node, Enter or Space to open or close it) and announce as expandable.
// Contexts can be large (an HTTP widget's 5,000-item answer, its raw body beside it): a closed node
// draws nothing under it, an open one draws its first ITEM_PAGE entries ("Show N more" for the
// rest), and a long string shows its first STRING_LIMIT characters ("Show all"). Strings are shown
// as visible-text.ts reads them: whitespace and invisible characters visible, bidi isolated.
import { useMemo, useState, type ReactNode } from 'react';
import { characterCount, cutText, visibleParts } from './visible-text.ts';

export const ITEM_PAGE = 100;
export const STRING_LIMIT = 1000;

/** A string as it is: escapes styled apart from the text, in its own bidi isolate. */
function VisibleText({ text }: { text: string }) {
  const parts = useMemo(() => visibleParts(text), [text]);
  return (
    <bdi className="json-text">
      {parts.map((part, i) =>
        part.kind === 'text' ? (
          part.text
        ) : (
          <span key={i} className="json-escape" title={part.title}>
            {part.escape}
            {part.breaks ? '\n' : null}
          </span>
        ),
      )}
    </bdi>
  );
}

function StringValue({ value }: { value: string }) {
  const [whole, setWhole] = useState(false);
  const cut = whole ? null : cutText(value, STRING_LIMIT);
  return (
    <>
      <span className="json-string">
        "<VisibleText text={cut ?? value} />
        {cut !== null && '…'}"
      </span>
      {cut !== null && (
        <button type="button" className="link-button json-more" onClick={() => setWhole(true)}>
          Show all ({characterCount(value).toLocaleString('en-US')} characters)
        </button>
      )}
    </>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <StringValue value={value} />;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-boolean">{String(value)}</span>;
  return <span className="json-null">{String(value)}</span>;
}

function summaryOf(value: object, size: number): string {
  return Array.isArray(value) ? `[${size}]` : `{${size}}`;
}

function Key({ name }: { name: string | null }) {
  return name === null ? null : (
    <span className="json-key">
      <VisibleText text={name} />
    </span>
  );
}

/** An open object or array: its first `shown` entries, then a button for more. */
function Children({ value, keys, depth, openDepth }: { value: object; keys: string[] | null; depth: number; openDepth: number }) {
  const [shown, setShown] = useState(ITEM_PAGE);
  const size = keys ? keys.length : (value as unknown[]).length;
  if (size === 0) return null;
  const names = keys ? keys.slice(0, shown) : Array.from({ length: Math.min(shown, size) }, (_, i) => String(i));
  const rest = size - names.length;
  const items: ReactNode[] = names.map((key) => (
    <Node key={key} name={key} value={(value as Record<string, unknown>)[key]} depth={depth + 1} openDepth={openDepth} />
  ));
  return (
    <ul>
      {items}
      {rest > 0 && (
        <li className="json-leaf">
          <button type="button" className="link-button json-more" onClick={() => setShown((n) => n + ITEM_PAGE)}>
            Show {Math.min(ITEM_PAGE, rest).toLocaleString('en-US')} more
          </button>{' '}
          <span className="muted">of {rest.toLocaleString('en-US')} not shown</span>
        </li>
      )}
    </ul>
  );
}

function Node({ name, value, depth, openDepth }: { name: string | null; value: unknown; depth: number; openDepth: number }) {
  const [open, setOpen] = useState(depth < openDepth);
  if (value === null || typeof value !== 'object') {
    return (
      <li className="json-leaf">
        {name !== null && (
          <>
            <Key name={name} />:{' '}
          </>
        )}
        <Scalar value={value} />
      </li>
    );
  }
  const keys = Array.isArray(value) ? null : Object.keys(value);
  return (
    <li>
      <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          {name !== null && (
            <>
              <Key name={name} />{' '}
            </>
          )}
          <span className="json-count">{summaryOf(value, keys ? keys.length : (value as unknown[]).length)}</span>
        </summary>
        {/* A closed node draws nothing under it: a large context stays cheap until it is opened. */}
        {open && <Children value={value} keys={keys} depth={depth} openDepth={openDepth} />}
      </details>
    </li>
  );
}

export function JsonTree({ value, label, openDepth = 1 }: { value: unknown; label?: string; openDepth?: number }) {
  return (
    <ul className="json-tree" aria-label={label ?? 'JSON'}>
      <Node name={label ?? null} value={value} depth={0} openDepth={openDepth} />
    </ul>
  );
}
