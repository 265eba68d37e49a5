// charsetOf: one reading of a Content-Type's charset for request bodies (forms) and response bodies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charsetOf } from '../../src/lib/content-type.ts';

describe('charsetOf', () => {
  it('reads the charset parameter, unquoted and trimmed, whatever its name case', () => {
    assert.equal(charsetOf('text/html; charset=utf-8'), 'utf-8');
    assert.equal(charsetOf('text/html; q=1; CHARSET = "koi8-r" '), 'koi8-r');
    assert.equal(charsetOf('application/x-www-form-urlencoded;charset=" latin1 "'), 'latin1');
  });

  it('is undefined without a charset, or with an empty one', () => {
    for (const contentType of [undefined, '', 'text/html', 'text/html; charset', 'text/html; charset=', 'text/html; charset=""', 'text/html; charset="', 'text/html; charset= " " ']) {
      assert.equal(charsetOf(contentType), undefined, String(contentType));
    }
  });

  it('reads an unclosed quoted value to the end, as WHATWG does', () => {
    assert.equal(charsetOf('text/plain; charset="iso-8859-1'), 'iso-8859-1');
  });

  it('takes the first charset parameter', () => {
    assert.equal(charsetOf('text/plain; charset=latin1; charset=utf-8'), 'latin1');
  });
});
