// Why a file the user named could not be read, in words: Node's own message ("ENOENT: no such file or
// directory, open 'x.json'") is its internals, not advice.

/** The reason `readFileSync` failed, as a phrase that follows the file's name (`x.json: no such file`). */
export function whyUnreadable(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
