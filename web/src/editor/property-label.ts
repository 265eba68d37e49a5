// A property's name in the editor's panel: the spec's `label`, else the words of its description
// before the first ';', ':' or ' (' ("Text to speak (Liquid, SSML)" → "Text to speak"), with the raw
// key beside it (property-form.tsx), since users match keys against exported JSON. The rest of the
// description stays under the field as its help, unless the label already says all of it.
import type { PropSpec } from '../../../src/definition/widget-specs.ts';

export function propertyLabel(key: string, spec: Pick<PropSpec, 'description' | 'label'>): string {
  if (spec.label?.trim()) return spec.label.trim();
  const words = spec.description.split(/;|:\s| \(/)[0]!.trim();
  if (!words) return key;
  return words[0]!.toUpperCase() + words.slice(1);
}

/** The description under the field, or null when the label already says all of it. */
export function propertyHelp(key: string, spec: Pick<PropSpec, 'description' | 'label'>): string | null {
  const description = spec.description.trim();
  if (!description || description.toLowerCase() === propertyLabel(key, spec).toLowerCase()) return null;
  return description;
}
