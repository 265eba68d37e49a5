// Each flow file's text is validated once per process, bounded: past the bound, a flow file many tests
// name stays cached while the older ones go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOW_FILES_CACHED, loadFlowFile } from '../../src/flowtest/load.ts';

const text = readFileSync(new URL('../fixtures/flows/ask-and-wait.json', import.meta.url), 'utf8');

describe('flow file cache', () => {
  it('keeps a flow file in use past the bound while more files than it come and go', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-cache-'));
    try {
      const file = (n: number) => {
        const path = join(dir, `${n}.json`);
        writeFileSync(path, text);
        return path;
      };
      const hot = file(0);
      const loaded = loadFlowFile(hot);
      const cold = FLOW_FILES_CACHED + 200;
      const oldest = loadFlowFile(file(1));
      for (let n = 2; n <= cold; n++) {
        loadFlowFile(file(n));
        if (n % 97 === 0) assert.equal(loadFlowFile(hot), loaded, `validated once, after ${n} other files`);
      }
      // Bounded: the oldest went and is validated again.
      assert.notEqual(loadFlowFile(join(dir, '1.json')), oldest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
