// How request bodies are encoded, answered at the edge in Twilio's error format: a Content-Encoding other
// than identity is a 415 (not a parse error of the compressed bytes), a form's charset decodes its
// percent-escapes (or is a 415), an Expect other than 100-continue a 417 with a body, a JSON number that
// overflows to Infinity invalid JSON (not a stored null), an object in a JSON body's text field a 400,
// and a path out of the console's assets a 403 with 20403.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { form, FORM, startTestServer, type InjectResponse, type TestServer } from '../support/server.ts';
import { overflowingNumber } from '../../src/lib/json-overflow.ts';
import { parseFormBody } from '../../src/api/wire/form.ts';
import { decodeBody } from '../../src/channels/http/fetch-http.ts';
import { rawExchange } from '../support/raw-http.ts';

const survey = JSON.parse(readFileSync(new URL('../fixtures/flows/survey.json', import.meta.url), 'utf8'));
const DEFINITION = JSON.stringify(survey);
const JSON_TYPE = { 'content-type': 'application/json' };

function twilioError(res: InjectResponse, status: number, code: number, message: RegExp): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${code}`);
  assert.match(body.message, message);
}

function parseRaw(answer: string): { status: number; headers: string; body: Record<string, unknown> } {
  const split = answer.lastIndexOf('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})(?![\s\S]*^HTTP\/1\.1 )/m.exec(answer)?.[1]), headers: answer.slice(0, split), body: JSON.parse(answer.slice(split + 4)) };
}

describe('request body encodings', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ listen: true });
  });
  after(() => t.close());

  const post = (url: string, payload: string | Buffer, headers: Record<string, string>) =>
    t.app.server.inject({ method: 'POST', url, headers: { authorization: t.auth, ...headers }, payload });
  const flowForm = (fields: Record<string, string> = {}) => form({ FriendlyName: 'encoded', Status: 'draft', Definition: DEFINITION, ...fields });

  describe('Content-Encoding', () => {
    it('refuses a gzip form or JSON body with 415 naming the coding, and Accept-Encoding: identity', async () => {
      for (const [payload, type] of [
        [gzipSync(flowForm()), FORM],
        [gzipSync(JSON.stringify({ FriendlyName: 'encoded', Status: 'draft', Definition: survey })), JSON_TYPE],
      ] as const) {
        const res = await post('/v2/Flows', payload, { ...type, 'content-encoding': 'gzip' });
        twilioError(res, 415, 20001, /^Content-Encoding "gzip" is not supported; send the body uncompressed$/);
        assert.equal(res.headers['accept-encoding'], 'identity');
      }
    });

    it('refuses a body labelled br (or any coding but identity) rather than reading it as plain', async () => {
      twilioError(await post('/v2/Flows', flowForm(), { ...FORM, 'content-encoding': 'br' }), 415, 20001, /"br"/);
      twilioError(await post('/v2/Flows', brotliCompressSync(flowForm()), { ...FORM, 'content-encoding': 'br' }), 415, 20001, /"br"/);
      twilioError(await post('/v2/Flows', flowForm(), { ...FORM, 'content-encoding': 'identity, deflate' }), 415, 20001, /"deflate"/);
    });

    it('takes identity, and ignores the header on a request without a body or route', async () => {
      assert.equal((await post('/v2/Flows', flowForm(), { ...FORM, 'content-encoding': 'Identity' })).statusCode, 201);
      const list = await t.app.server.inject({ method: 'GET', url: '/v2/Flows', headers: { authorization: t.auth, 'content-encoding': 'gzip' } });
      assert.equal(list.statusCode, 200, list.body);
      // A URL that is no route says so, whatever its body.
      assert.equal((await post('/v2/Nope', gzipSync('a=b'), { ...FORM, 'content-encoding': 'gzip' })).statusCode, 404);
    });

    it('authenticates first: no credentials is a 401, whatever the coding', async () => {
      const res = await t.app.server.inject({ method: 'POST', url: '/v2/Flows', headers: { ...FORM, 'content-encoding': 'gzip' }, payload: gzipSync(flowForm()) });
      assert.equal(res.statusCode, 401);
    });
  });

  describe('form charset', () => {
    it('decodes percent-escapes in ISO-8859-1, windows-1252 and UTF-8 as declared', async () => {
      for (const [charset, escaped] of [
        ['ISO-8859-1', 'Caf%E9 %80'],
        ['"latin1"', 'Caf%E9 %80'],
        ['windows-1252', 'Caf%E9 %80'],
        ['utf-8', 'Caf%C3%A9 %E2%82%AC'],
      ]) {
        const payload = `${flowForm({ FriendlyName: 'x' }).replace('FriendlyName=x', `FriendlyName=${escaped}`)}`;
        const res = await post('/v2/Flows', payload, { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` });
        assert.equal(res.statusCode, 201, `${charset}: ${res.body}`);
        // ISO-8859-1 is windows-1252 to TextDecoder (as to browsers): 0x80 is the euro sign.
        assert.equal(res.json().friendly_name, 'Café €', charset);
      }
    });

    it('decodes raw bytes, + and escaped delimiters in the declared charset too', () => {
      const body = Buffer.concat([Buffer.from('A=Caf'), Buffer.from([0xe9]), Buffer.from('+1%2B2%3D3%26&B=x&B=%E9&C&=v&D=50%')]);
      assert.deepEqual({ ...parseFormBody(body, 'application/x-www-form-urlencoded;charset=latin1') }, { A: 'Café 1+2=3&', B: ['x', 'é'], C: '', '': 'v', D: '50%' });
      // The same bytes as UTF-8 (no charset): the lone 0xE9 is U+FFFD, as before.
      assert.equal(parseFormBody(body, 'application/x-www-form-urlencoded').A, 'Caf\uFFFD 1+2=3&');
    });

    it('reads a form with an empty charset (charset="" or a lone quote) as UTF-8, as response bodies are read', () => {
      const body = Buffer.from('A=Caf%C3%A9');
      for (const contentType of ['application/x-www-form-urlencoded; charset=""', 'application/x-www-form-urlencoded; charset="', 'application/x-www-form-urlencoded; charset=']) {
        assert.equal(parseFormBody(body, contentType).A, 'Café', contentType);
        assert.equal(decodeBody(Buffer.from('Café'), contentType.replace('application/x-www-form-urlencoded', 'text/plain')), 'Café', contentType);
      }
    });

    it('counts parameters against the limit in another charset as well', () => {
      const many = Buffer.from(Array.from({ length: 1001 }, (_, i) => `K${i}=v`).join('&'));
      assert.throws(() => parseFormBody(many, 'application/x-www-form-urlencoded; charset=latin1'), /more than 1000 parameters/);
    });

    it('refuses a charset TextDecoder does not know, or UTF-16, with 415 naming it', async () => {
      for (const [charset, payload] of [
        ['klingon', Buffer.from(flowForm())],
        ['utf-16', Buffer.from(flowForm(), 'utf16le')],
        ['UTF-16BE', Buffer.from(flowForm(), 'utf16le').swap16()],
        ['iso-2022-kr', Buffer.from(flowForm())],
      ] as const) {
        const res = await post('/v2/Flows', payload, { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` });
        twilioError(res, 415, 20001, new RegExp(`^Charset "${charset}" is not supported for form bodies`));
      }
    });
  });

  describe('Expect', () => {
    it('answers an expectation other than 100-continue with a Twilio-format 417', async () => {
      const answer = parseRaw(
        await rawExchange(t, `POST /v2/Flows HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nAuthorization: ${t.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\n`),
      );
      assert.equal(answer.status, 417);
      assert.match(answer.headers, /\r\nTwilio-Request-Id: RQ[0-9a-f]{32}\r\n/i);
      assert.deepEqual(answer.body, {
        code: 20001,
        message: 'Expect "teapot" is not supported; only 100-continue is',
        more_info: 'https://www.twilio.com/docs/errors/20001',
        status: 417,
      });
    });

    it('still serves 100-continue', async () => {
      const body = 'FriendlyName=';
      const answer = await rawExchange(
        t,
        `POST /v2/Flows HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\nAuthorization: ${t.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      assert.match(answer, /^HTTP\/1\.1 100 Continue\r\n/);
      assert.equal(parseRaw(answer).status, 400);
    });
  });

  describe('JSON numbers beyond a double', () => {
    it('refuses 1e400 in a JSON body, naming where it is, instead of storing null', async () => {
      const definition = structuredClone(survey);
      definition.states[0].properties.offset = { x: 1e300, y: 0 };
      const text = JSON.stringify({ FriendlyName: 'big', Status: 'draft', Definition: definition }).replace('1e+300', '1e400');
      twilioError(
        await post('/v2/Flows', text, JSON_TYPE),
        400,
        20001,
        /^Request body is not valid JSON: the number at \/Definition\/states\/0\/properties\/offset\/x is too large/,
      );
      twilioError(await post('/v2/Flows', '{"FriendlyName":-1E+400}', JSON_TYPE), 400, 20001, /at \/FriendlyName is too large/);
    });

    it('refuses 1e400 in a JSON-in-form Definition as invalid JSON (81022)', async () => {
      const text = DEFINITION.replace('"offset":{"x":', '"offset":{"x":1e400,"was":');
      assert.notEqual(text, DEFINITION);
      const res = await post('/v2/Flows', flowForm({ Definition: text }), FORM);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 81022);
      assert.match(res.json().details.errors[0].message, /^Definition is not valid JSON: the number at \/states\/0\/properties\/offset\/x is too large/);
    });

    it('refuses 1e400 in form Parameters of an execution', async () => {
      const flow = await post('/v2/Flows', flowForm({ Status: 'published' }), FORM);
      const res = await post(`/v2/Flows/${flow.json().sid}/Executions`, form({ To: '+15551230001', From: '+15551230002', Parameters: '{"n":1e400}' }), FORM);
      twilioError(res, 400, 20001, /^Invalid parameter Parameters: not valid JSON: the number at \/n is too large/);
      // The same in Twilio's single-quoted form, which is parsed a second way.
      const quoted = await post(`/v2/Flows/${flow.json().sid}/Executions`, form({ To: '+15551230001', From: '+15551230002', Parameters: "{'n':1e400}" }), FORM);
      twilioError(quoted, 400, 20001, /^Invalid parameter Parameters: not valid JSON: the number at \/n is too large/);
    });

    it('finds overflowing literals whatever their form: many digits with a small exponent, a fraction and an exponent', () => {
      for (const text of [`{"n":${'9'.repeat(250)}e99}`, `[${'9'.repeat(300)}.5e10]`, `{"n":${'9'.repeat(320)}}`]) {
        assert.notEqual(overflowingNumber(text, JSON.parse(text)), null, text.slice(0, 40));
      }
    });

    it('takes runs of 308 digits inside strings for what they are: nothing overflows', () => {
      const text = JSON.stringify({ a: `${'1'.repeat(308)},`.repeat(3236) });
      assert.equal(overflowingNumber(text, JSON.parse(text)), null);
    });

    it('keeps numbers that only look large, and underflow to zero', () => {
      for (const text of ['1e-400', '1e308', '"1e400"', '{"a":"1e999","b":1.5e+100}', `1${'0'.repeat(308)}`]) assert.equal(overflowingNumber(text, JSON.parse(text)), null, text);
    });

    it('names the first overflowing number by JSON Pointer, escaping ~ and /, through any depth', () => {
      const text = '{"a/b":[0,{"c~d":1e999}],"z":-1e999}';
      assert.equal(overflowingNumber(text, JSON.parse(text)), '/a~1b/1/c~0d');
      assert.equal(overflowingNumber('1e400', Infinity), '');
      const deep = '['.repeat(50_000) + '1e400' + ']'.repeat(50_000);
      assert.equal(overflowingNumber(deep, JSON.parse(deep)), '/0'.repeat(50_000));
    });
  });

  describe('structured values in JSON text fields', () => {
    it('refuses an object or array in a text field with 400 naming it', async () => {
      for (const [fields, name, kind] of [
        [{ FriendlyName: { a: 1 } }, 'FriendlyName', 'an object'],
        [{ FriendlyName: [{ a: 1 }] }, 'FriendlyName', 'an object'],
        [{ CommitMessage: [['x']] }, 'CommitMessage', 'an array'],
        [{ Status: { draft: true } }, 'Status', 'an object'],
      ] as const) {
        const res = await post('/v2/Flows', JSON.stringify({ FriendlyName: 'json', Status: 'draft', Definition: survey, ...fields }), JSON_TYPE);
        twilioError(res, 400, 20001, new RegExp(`^Invalid parameter ${name}: must be a string, not ${kind}$`));
      }
    });

    it('takes an object where JSON is the field (Definition, Parameters), and a number as its text', async () => {
      const flow = await post('/v2/Flows', JSON.stringify({ FriendlyName: 'json', Status: 'published', Definition: survey, CommitMessage: 7 }), JSON_TYPE);
      assert.equal(flow.statusCode, 201, flow.body);
      assert.equal(flow.json().commit_message, '7');
      const execution = await post(`/v2/Flows/${flow.json().sid}/Executions`, JSON.stringify({ To: '+15551230001', From: '+15551230002', Parameters: { n: { m: 1 } } }), JSON_TYPE);
      assert.equal(execution.statusCode, 201, execution.body);
    });
  });

  describe('console assets', () => {
    it('answers a path out of the assets directory with 403 and 20403', async () => {
      for (const path of ['/assets/../../etc/passwd', '/assets/%2e%2e/%2e%2e/etc/passwd']) {
        const answer = parseRaw(await rawExchange(t, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        assert.equal(answer.status, 403, path);
        assert.deepEqual(answer.body, { code: 20403, message: `Access to ${path} is forbidden`, more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 });
      }
    });
  });

  describe('DELETE bodies', () => {
    it('ignores a DELETE body, its Content-Type and Content-Encoding: a stray text/plain, broken JSON or gzip still deletes (204) or 404s', async () => {
      const del = (url: string, payload: string | Buffer, headers: Record<string, string>) =>
        t.app.server.inject({ method: 'DELETE', url, headers: { authorization: t.auth, ...headers }, payload });
      for (const [payload, headers] of [
        ['', { 'content-type': 'text/plain;charset=UTF-8' }],
        ['x', { 'content-type': 'text/plain' }],
        ['{bad', JSON_TYPE],
        ['a&'.repeat(1200), FORM],
        [gzipSync('a=b'), { ...FORM, 'content-encoding': 'gzip' }],
      ] as const) {
        const created = await post('/v2/Flows', flowForm(), FORM);
        assert.equal(created.statusCode, 201, created.body);
        const res = await del(`/v2/Flows/${created.json().sid}`, payload, headers);
        assert.equal(res.statusCode, 204, `${headers['content-type']}: ${res.body}`);
        assert.equal(res.body, '');
        assert.equal((await t.app.server.inject({ method: 'GET', url: `/v2/Flows/${created.json().sid}`, headers: { authorization: t.auth } })).statusCode, 404);
        twilioError(await del(`/v2/Flows/${created.json().sid}`, payload, headers), 404, 20404, /was not found$/);
      }
    });
  });
});
