// The import dialog's name field (web/src/flows/import.ts): choosing a file names the flow after it,
// choosing another file renames it again, and a name the user typed is never replaced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { definitionFromImport, nameAfterChoosing, nameOfFile } from '../../web/src/flows/import.ts';

describe('import: the flow name a chosen file gives', () => {
  it('is the file name without .json', () => {
    assert.equal(nameOfFile('CSAT SMS form.json'), 'CSAT SMS form');
    assert.equal(nameOfFile('ivr.JSON'), 'ivr');
    assert.equal(nameOfFile('flow.txt'), 'flow.txt');
  });

  it('follows the file chosen last while the name is the one a file gave', () => {
    assert.equal(nameAfterChoosing('', null, 'first.json'), 'first');
    assert.equal(nameAfterChoosing('first', 'first.json', 'second.json'), 'second');
    assert.equal(nameAfterChoosing('', 'first.json', 'second.json'), 'second');
    assert.equal(nameAfterChoosing('   ', null, 'first.json'), 'first');
  });

  it('keeps a name the user typed, before or after choosing a file', () => {
    assert.equal(nameAfterChoosing('My flow', null, 'first.json'), 'My flow');
    assert.equal(nameAfterChoosing('first v2', 'first.json', 'second.json'), 'first v2');
  });
});

describe('import: a broken file', () => {
  it('says where, as the server does: a trailing comma at the comma, a token V8 gives no position for located', () => {
    assert.throws(() => definitionFromImport('{\n  "states": [],\n}'), /^Error: Invalid JSON at line 2, column 15 \(position 16\): a trailing comma before '\}'/);
    assert.throws(() => definitionFromImport('{\n  "states": [x]\n}'), /^Error: Invalid JSON at line 2, column 14 \(position 15\): 'x' is not JSON/);
  });
});
