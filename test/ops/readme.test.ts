// The README documents every configuration key: its table is generated from CONFIG_KEYS
// (`npm run switchboard -- config --keys --markdown`); this fails when a key was added without
// regenerating it, naming the key, and when the table was edited by hand (regenerating would lose it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_KEYS } from '../../src/config.ts';
import { configKeyMarkdown } from '../../src/cli/config.ts';

test('the README configuration table lists every key with its flag and variable', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = /<!-- config-table[^>]*-->\n([\s\S]*?)<!-- \/config-table -->/.exec(readme)?.[1];
  assert.ok(table, 'README has the generated configuration table');
  // | flag | variable | file key | default | meaning |
  const rows = new Map(
    table
      .split('\n')
      .filter((line) => line.startsWith('| `') || line.startsWith('| —'))
      .map((line) => [line.split('|')[3]!.trim().replace(/`/g, ''), line] as const),
  );
  for (const [name, spec] of Object.entries(CONFIG_KEYS)) {
    const row = rows.get(name);
    assert.ok(row, `README's configuration table has '${name}': regenerate it with npm run switchboard -- config --keys --markdown`);
    if (spec.flag) assert.ok(row.includes(`\`--${spec.flag}\``), `'${name}' row shows --${spec.flag}`);
    if (spec.env) assert.ok(row.includes(`\`${spec.env}\``), `'${name}' row shows ${spec.env}`);
  }
});

test('the README configuration table is exactly what the generator prints (descriptions edited in src/config.ts, not in the README)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = /<!-- config-table[^>]*-->\n([\s\S]*?)<!-- \/config-table -->/.exec(readme)?.[1] ?? '';
  const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');
  assert.deepEqual(lines(table), lines(configKeyMarkdown()));
});
