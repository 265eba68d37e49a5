// A team keeping Studio flows in git moves them between Twilio and Switchboard: every real flow in
// ../shared/flows (read in place, never copied into the project) must come back as it went in. Each is
// imported with `flows import`; the v2 API's `definition` is then the file's JSON with its keys in the
// file's order, its text (unicode, escapes, empty strings, lists and objects, unknown properties and
// flags) unchanged; `flows export` writes exactly that, pretty printed with a trailing newline, the
// same bytes every time; a pull of them all followed by a push changes nothing (no new revision; the Terraform
// templates among them, which push refuses without --vars, left out), and `flows diff` says so (exit 0). The one file with a dangling `next` is refused by import (exit 1).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCliInProcess, type CliRun } from '../support/cli-in-process.ts';
import { SHARED_FLOWS_DIR } from '../support/real-flows.ts';
import { flowsCommand } from '../../src/cli/flows.ts';
import { filePlaceholders } from '../../src/cli/flows/files.ts';

const dir = fileURLToPath(SHARED_FLOWS_DIR);
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

describe('real flows round-trip through import, the API, export, pull and push', { skip: files.length ? false : `shared flows folder not found at ${dir}` }, () => {
  let s: TestServer;
  let work: string;
  /** File name → the SID import gave it (only the files import took). */
  const imported = new Map<string, string>();
  const flows = (args: string[]): Promise<CliRun> => runCliInProcess(flowsCommand, [...args, '--base-url', s.baseUrl, '--account-sid', s.account.sid, '--auth-token', s.account.authToken], work);
  /** The v2 API's answer as text, not parsed by a client (which would hide a change of key order). */
  const apiText = async (path: string) => {
    const response = await fetch(`${s.baseUrl}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${s.account.sid}:${s.account.authToken}`).toString('base64')}` } });
    assert.equal(response.status, 200, path);
    return response.text();
  };
  /** The `definition` member of a Flow resource's JSON text, as the server wrote it (a JSON object text). */
  const definitionText = (resource: string) => {
    const start = resource.indexOf('"definition":') + '"definition":'.length;
    const end = resource.indexOf(',"status":', start);
    assert.ok(start > 12 && end > start, 'a Flow resource has definition, then status');
    return resource.slice(start, end);
  };

  before(async () => {
    s = await startTestServer({ listen: true });
    work = mkdtempSync(join(tmpdir(), 'sb-flows-roundtrip-'));
    for (const file of files) {
      const run = await flows(['import', join(dir, file), '--name', file.replace(/\.json$/, '').slice(0, 64), '--json']);
      if (run.code === 0) imported.set(file, JSON.parse(run.stdout).sid);
      else assert.equal(run.code, 1, `${file}: ${run.stderr}`);
    }
  });
  after(async () => {
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('import takes every valid file; the one refused has a transition to a missing widget', () => {
    const refused = files.filter((f) => !imported.has(f));
    assert.ok(imported.size >= files.length - 1, `refused: ${refused.join(', ')}`);
    assert.ok(imported.size > 0);
  });

  it("the API's definition is the file's JSON, key order and text as written; revisions hold it too", async () => {
    for (const [file, sid] of imported) {
      const text = readFileSync(join(dir, file), 'utf8');
      const compact = JSON.stringify(JSON.parse(text));
      assert.equal(definitionText(await apiText(`/v2/Flows/${sid}`)), compact, file);
      assert.equal(definitionText(await apiText(`/v2/Flows/${sid}/Revisions/1`)), compact, `${file} revision 1`);
    }
  });

  it('export writes that definition pretty printed with a trailing newline, the same bytes every time', async () => {
    let asWritten = 0;
    for (const [file, sid] of imported) {
      const text = readFileSync(join(dir, file), 'utf8');
      // --out: the command writes stdout with process.stdout.write, which runCliInProcess does not capture.
      const exported = async () => {
        const run = await flows(['export', sid, '--out', 'export.json']);
        assert.equal(run.code, 0, run.stderr);
        return readFileSync(join(work, 'export.json'), 'utf8');
      };
      const first = await exported();
      assert.equal(first, JSON.stringify(JSON.parse(text), null, 2) + '\n', file);
      // The shared files are Studio's own formatting: export gives them back byte for byte.
      if (/^\{\n {2}"/.test(text) && text.endsWith('}\n') && !text.includes('\r')) {
        assert.equal(first, text, `${file}: bytes`);
        asWritten++;
      }
      assert.equal(await exported(), first, `${file}: a second export`);
    }
    assert.ok(asWritten > imported.size / 2, `${asWritten} files compared byte for byte`);
  });

  it('pull then push changes nothing, and diff says so with exit 0', async () => {
    const pull = await flows(['pull', '--dir', 'flows']);
    assert.equal(pull.code, 0, pull.stderr);
    // The Terraform templates among them (deploy-time ${…} placeholders) are refused by a push without --vars
    // (nothing sent, exit 1): the others are pushed by name, as a flow Terraform deploys is left out.
    const pulled = readdirSync(join(work, 'flows')).filter((f) => f.endsWith('.json') && f !== 'flows.manifest.json').sort();
    const templates = pulled.filter((f) => filePlaceholders(join(work, 'flows', f)).length > 0);
    if (templates.length) {
      const bare = await flows(['push', '--dir', 'flows']);
      assert.equal(bare.code, 1, bare.stdout + bare.stderr);
      for (const f of templates) assert.ok(bare.stderr.includes(`flows/${f}: not pushed, it holds deploy-time template`), f);
    }
    const others = pulled.filter((f) => !templates.includes(f)).map((f) => join('flows', f));
    const push = await flows(['push', '--dir', 'flows', '--json', ...others]);
    assert.equal(push.code, 0, push.stderr);
    const results = JSON.parse(push.stdout) as { action: string; file: string }[];
    assert.equal(results.length, imported.size - templates.length);
    assert.deepEqual(results.filter((r) => r.action !== 'unchanged').map((r) => r.file), []);
    const listed = JSON.parse(await apiText('/v2/Flows?PageSize=1000')) as { flows: { revision: number }[] };
    assert.deepEqual([...new Set(listed.flows.map((f) => f.revision))], [1], 'no flow has a second revision');
    const diff = await flows(['diff', '--dir', 'flows']);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
  });
});
