// Whole numbers a test file writes as floats (`price: 10.0` in a mock's body). An HTTP widget's response is JSON
// text, and the engine reads `10.0` there as Ruby does, a float that prints `10.0` (../engine/json-floats.ts); a
// mock body given as an object is turned into that text here, after YAML and JSON parsing have made 10.0 the
// number 10. So the file is read keeping where such numbers were, and a body is written with them as written.
import { Scalar } from 'yaml';
import type { ScalarTag, Tags } from 'yaml';
import { floatJson } from '../engine/liquid/ruby-float.ts';

/** Holders (objects and arrays of a parsed test file) → their members that held a whole number written as a float. */
const wholeFloats = new WeakMap<object, Set<string>>();

function mark(holder: object, key: string): void {
  let keys = wholeFloats.get(holder);
  if (keys === undefined) wholeFloats.set(holder, (keys = new Set()));
  keys.add(key);
}

/** JSON.parse's reviver for a JSON test file: marks the whole numbers its text writes with a decimal point or exponent. */
export function markJsonWholeFloats(this: unknown, key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && context?.source !== undefined && /[.eE]/.test(context.source) && this !== null && typeof this === 'object') mark(this, key);
  return value;
}

/** A YAML float whose value is whole, until markYamlWholeFloats puts the number back. */
class YamlWholeFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** The yaml library's tags with its float tags resolving a whole value to a YamlWholeFloat (`10.0`, `1e3`). */
export function yamlTagsKeepingWholeFloats(tags: Tags): Tags {
  return tags.map((tag) => {
    const scalar = tag as ScalarTag;
    if (scalar.tag !== 'tag:yaml.org,2002:float' || typeof scalar.resolve !== 'function') return tag;
    const resolve = scalar.resolve;
    return {
      ...scalar,
      resolve(...args: Parameters<typeof resolve>) {
        const resolved = resolve.apply(this, args);
        const n = resolved instanceof Scalar ? resolved.value : resolved;
        return typeof n === 'number' && Number.isInteger(n) ? new YamlWholeFloat(n) : resolved;
      },
    } as ScalarTag;
  });
}

/** Puts the numbers back in a file parsed with yamlTagsKeepingWholeFloats, marking where they were. */
export function markYamlWholeFloats(data: unknown): unknown {
  if (data instanceof YamlWholeFloat) return data.value;
  const stack: object[] = data !== null && typeof data === 'object' ? [data] : [];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (value instanceof YamlWholeFloat) {
        node[key] = value.value;
        mark(node, key);
      } else if (value !== null && typeof value === 'object') stack.push(value);
    }
  }
  return data;
}

/** JSON.stringify's replacer writing the marked numbers as floats (`10.0`). */
export function writeWholeFloats(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'number' && this !== null && typeof this === 'object' && wholeFloats.get(this)?.has(key)) return floatJson(value);
  return value;
}
