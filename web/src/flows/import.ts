// Reading a flow file to import. Pure, so Node tests run it too.
import type { FlowDefinition } from '../../../src/definition/types.ts';

/** A Studio export is the definition itself; some tools wrap it ({definition: {...}}) — accept both. */
export function definitionFromImport(text: string): FlowDefinition {
  const parsed: unknown = JSON.parse(text);
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const object = parsed as Record<string, unknown>;
    if (Array.isArray(object.states)) return object as unknown as FlowDefinition;
    if (object.definition && typeof object.definition === 'object') return object.definition as FlowDefinition;
  }
  throw new Error('This file is not a Studio flow definition (no "states" array).');
}
