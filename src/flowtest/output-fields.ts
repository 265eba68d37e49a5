// Which fields of a widget's outputs differ between a recording and its replay, as paths
// (`outbound.Author`, `parsed.items[2]`): a report can then say what changed instead of showing two
// whole objects that look alike (a Send & Wait's outputs hold the question and the reply).

export interface FieldDifference {
  path: string;
  /** Left out when the field is only in the replay. */
  original?: unknown;
  /** Left out when the field is only in the recording. */
  replay?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

/** The differing leaves of `original` and `replay`; `same` says whether two leaves are equal. */
export function fieldDifferences(original: unknown, replay: unknown, same: (a: unknown, b: unknown) => boolean, path = ''): FieldDifference[] {
  if (isObject(original) && isObject(replay)) {
    // A key set to undefined is no key, as in JSON.
    const keys = [...new Set([...Object.keys(original), ...Object.keys(replay)])].filter((key) => original[key] !== undefined || replay[key] !== undefined).sort();
    return keys.flatMap((key) => {
      const at = path ? `${path}.${key}` : key;
      if (replay[key] === undefined) return [{ path: at, original: original[key] }];
      if (original[key] === undefined) return [{ path: at, replay: replay[key] }];
      return fieldDifferences(original[key], replay[key], same, at);
    });
  }
  if (Array.isArray(original) && Array.isArray(replay)) {
    const differences: FieldDifference[] = [];
    for (let i = 0; i < Math.max(original.length, replay.length); i++) {
      const at = `${path}[${i}]`;
      if (i >= replay.length) differences.push({ path: at, original: original[i] });
      else if (i >= original.length) differences.push({ path: at, replay: replay[i] });
      else differences.push(...fieldDifferences(original[i], replay[i], same, at));
    }
    return differences;
  }
  return same(original, replay) ? [] : [{ path, original, replay }];
}
