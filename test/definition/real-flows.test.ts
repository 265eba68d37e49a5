// Validates the third-party Studio exports in ../shared/flows (a sibling of the repo). They are read in
// place, never copied. Dangling `next` targets are the only thing allowed to need strictTransitions:false.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateDefinitionJson } from '../../src/definition/validate.ts';

const dir = new URL('../../../shared/flows/', import.meta.url);

it('every real exported flow in shared/flows validates', (t) => {
  if (!existsSync(dir)) {
    t.skip(`shared flows folder not found at ${fileURLToPath(dir)}`);
    return;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length > 0, 'no *.json flows found');
  let warnings = 0;
  const lenient: string[] = [];
  for (const file of files) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    let res = validateDefinitionJson(text);
    if (!res.valid) {
      // Only a dangling `next` justifies the lenient import mode.
      for (const e of res.errors) {
        assert.match(e.message, /\.next ".*" does not name a state in the flow$/, `${file}: ${e.property_path}: ${e.message}`);
      }
      lenient.push(file);
      res = validateDefinitionJson(text, { strictTransitions: false });
    }
    assert.deepEqual(res.errors, [], file);
    assert.equal(res.valid, true, file);
    warnings += res.warnings.length;
  }
  t.diagnostic(`${files.length} flows valid, ${warnings} warnings in total`);
  t.diagnostic(`needed strictTransitions:false (dangling next): ${lenient.length ? lenient.join(', ') : 'none'}`);
});
