// A collapsible JSON tree built on <details>/<summary>, which browsers make keyboard operable
// (Tab to a node, Enter or Space to open or close it) and announce as expandable.
import type { ReactNode } from 'react';

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <span className="json-string">"{value}"</span>;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-boolean">{String(value)}</span>;
  return <span className="json-null">{String(value)}</span>;
}

function summaryOf(value: object): string {
  return Array.isArray(value) ? `[${value.length}]` : `{${Object.keys(value).length}}`;
}

function Node({ name, value, depth, openDepth }: { name: ReactNode; value: unknown; depth: number; openDepth: number }) {
  if (value === null || typeof value !== 'object') {
    return (
      <li className="json-leaf">
        {name !== null && <span className="json-key">{name}: </span>}
        <Scalar value={value} />
      </li>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  return (
    <li>
      <details open={depth < openDepth}>
        <summary>
          {name !== null && <span className="json-key">{name} </span>}
          <span className="json-count">{summaryOf(value)}</span>
        </summary>
        {entries.length > 0 ? (
          <ul>
            {entries.map(([key, child]) => (
              <Node key={key} name={key} value={child} depth={depth + 1} openDepth={openDepth} />
            ))}
          </ul>
        ) : null}
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
