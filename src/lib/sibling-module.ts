// The URL of a module beside the caller, with the caller's own extension: `.ts` when running from the
// sources (the checkout, by type stripping), `.js` when running from the compiled package (dist/). For
// Worker entry points: the build rewrites `.ts` in import specifiers, not in a URL handed to a Worker.

/** `siblingModule(import.meta.url, 'writer-worker')`: ./writer-worker.ts or ./writer-worker.js. */
export function siblingModule(callerUrl: string, name: string): URL {
  const extension = new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}
