// Numbers in client JSON that overflow a double. JSON.parse reads `1e400` as Infinity without a word,
// and JSON.stringify (every store) then writes null: a Definition or Parameters would be stored with a
// value the client never sent. Such JSON is refused as invalid where the API parses it instead.

/**
 * Whether `text` may hold a number literal that overflows: one needs an exponent (a digit followed by
 * `e`/`E`) or 309 digits in a row. One linear pass (a regex for it backtracked on runs of 308 digits:
 * 0.7 s per megabyte, before any authentication); the walk then decides.
 */
function mayOverflow(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 309) return true;
    } else {
      if ((c === 101 || c === 69) && run > 0) return true;
      run = 0;
    }
  }
  return false;
}

/**
 * The JSON Pointer (RFC 6901) of the first number in `value` that is not finite, or null when all
 * are. `text` is what `value` was parsed from: without a literal that can overflow in it, nothing
 * is walked. The walk is iterative (the value may be nested arbitrarily deep).
 */
export function overflowingNumber(text: string, value: unknown): string | null {
  if (!mayOverflow(text)) return null;
  type Node = { value: unknown; key: string; parent: Node | null };
  const stack: Node[] = [{ value, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.value === 'number' && !Number.isFinite(node.value)) return pointerOf(node);
    if (node.value === null || typeof node.value !== 'object') continue;
    // Pushed in reverse, so the first overflowing number in document order is found first.
    const entries = Object.entries(node.value);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], key: entries[i]![0], parent: node });
  }
  return null;
}

function pointerOf(node: { key: string; parent: { key: string; parent: unknown } | null }): string {
  const keys: string[] = [];
  for (let at: typeof node | null = node; at?.parent; at = at.parent as typeof node | null) keys.push(at.key.replaceAll('~', '~0').replaceAll('/', '~1'));
  return keys.reverse().map((key) => `/${key}`).join('');
}

/** Why such JSON is invalid, to follow "not valid JSON: ". */
export function overflowReason(pointer: string): string {
  return `the number ${pointer === '' ? '' : `at ${pointer} `}is too large (beyond ±1.8e308, it would become Infinity)`;
}
