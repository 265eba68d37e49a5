// `npm run dev:web` serves the console from Vite and proxies the API: every path root the console requests
// must be in the proxy list, or that feature answers Vite's index.html (a 404 in the console) in development only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('../../web/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

test('every API path root the console requests is proxied by the Vite dev server', () => {
  const config = readFileSync(join(web, 'vite.config.ts'), 'utf8');
  const proxied = new Set([...(/proxy:[^\[]*\[([^\]]*)\]/.exec(config)?.[1] ?? '').matchAll(/'(\/[^']+)'/g)].map((m) => m[1]!));
  assert.ok(proxied.has('/v2'), `could not read the proxy list from vite.config.ts: ${[...proxied].join(', ')}`);
  const requested = new Set<string>();
  for (const file of sources(join(web, 'src'))) {
    // Path literals and template strings the console fetches: '/v2/Flows', `/replay/Flows/${sid}`.
    for (const m of readFileSync(file, 'utf8').matchAll(/[`'"](\/(?:v1|v2|simulator|replay|console\/api|healthz|readyz|metrics))[/`'"?]/g)) requested.add(m[1]!);
  }
  assert.ok(requested.size >= 3, `found only ${[...requested].join(', ')}`);
  for (const root of requested) assert.ok(proxied.has(root), `${root} is requested by the console but not proxied in web/vite.config.ts`);
});
