// One warning for a thing a templated export repeats many times (one file holds 84 uses of 11 `${...}`
// placeholders; another 45 Function URLs starting "http://<URL_PREFIX>/"): the first use is reported, and
// the message then says how often it occurs in the flow.

import type { ValidationIssue } from './types.ts';

export class FirstUseTally {
  private readonly first = new Map<string, { issue: ValidationIssue; uses: number }>();

  /** The issue to report when `key` is new in the flow; undefined when this only counts one more use. */
  note(key: string, issue: () => ValidationIssue): ValidationIssue | undefined {
    const seen = this.first.get(key);
    if (seen) {
      seen.uses++;
      return undefined;
    }
    const created = issue();
    this.first.set(key, { issue: created, uses: 1 });
    return created;
  }

  /** Adds the use counts to the issues already handed out. */
  finish(): void {
    for (const { issue, uses } of this.first.values()) {
      if (uses > 1) issue.message += ` (used ${uses} times in this flow; this is the first)`;
    }
  }
}

// `${{…}}` is a dollar sign before Liquid ("$12"), not a placeholder.
const PLACEHOLDERS = /\$\{(?!\{)[^}]*\}/g;

/** The Terraform-style `${...}` placeholders in `value`, whitespace normalized. */
export function placeholdersIn(value: string): string[] {
  return [...value.matchAll(PLACEHOLDERS)].map((m) => m[0].replace(/\s+/g, ' '));
}
