// `switchboard test --help` names every configuration setting the flow tests run under, as the README's
// list of them does (it left out the size limits, --max-context-bytes and --max-step-bytes, which apply).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TEST_USAGE } from '../../src/cli/test.ts';
import { CONFIG_KEYS } from '../../src/config.ts';

it("test --help names every setting the README says flow tests run under, each a configuration flag", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const sentence = /Tests run under the project's configuration, as `serve` would:([\s\S]*?)\(flags, environment/.exec(readme);
  assert.ok(sentence, "the README's sentence listing the settings flow tests run under");
  const flags = [...sentence[1]!.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]!);
  assert.ok(flags.length >= 10, flags.join(' '));
  const known = new Set(Object.values(CONFIG_KEYS).flatMap((key) => ((key as { flag?: string }).flag ? [`--${(key as { flag?: string }).flag}`] : [])));
  for (const flag of flags) {
    assert.ok(known.has(flag), `${flag} is a configuration flag`);
    assert.ok(TEST_USAGE.includes(flag), `test --help names ${flag}`);
  }
});
