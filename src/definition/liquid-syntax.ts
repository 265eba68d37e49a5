/**
 * The Liquid dialect's syntax, shared by the validator (which only parses) and the engine (which renders), so
 * that a template the validator passes is one the engine parses, and one it flags is one the engine refuses.
 *
 * What differs from a plain liquidjs instance is syntax, not only limits: `include`, `render` and `layout`
 * are refused at parse time (Studio has no template files), and a template longer than the parse limit is
 * refused. The engine adds its filters, loop caps and render limits on top; none of those change what parses.
 */
import { Liquid, Tag } from 'liquidjs';
import type { FS, LiquidOptions, TagToken, TopLevelToken } from 'liquidjs';

/** Max characters of a template source (liquidjs parseLimit). */
export const MAX_TEMPLATE_LENGTH = 128 * 1024;

/** Tags that would read template files: refused when the template is parsed. */
export const REFUSED_TAGS: readonly string[] = ['include', 'render', 'layout'];

/** A liquidjs file system that finds nothing (defence in depth behind the refused tags). */
const REFUSING_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`file access is disabled: ${file}`);
  },
  readFileSync: (file: string) => {
    throw new Error(`file access is disabled: ${file}`);
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
};

/** Options every Switchboard liquidjs instance starts from. */
export const BASE_LIQUID_OPTIONS: Readonly<LiquidOptions> = Object.freeze({
  strictVariables: false,
  strictFilters: false,
  ownPropertyOnly: true,
  jsTruthy: false,
  dynamicPartials: false,
  relativeReference: false,
  root: [],
  partials: [],
  layouts: [],
  fs: REFUSING_FS,
  cache: false,
  parseLimit: MAX_TEMPLATE_LENGTH,
});

function refusingTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`tag "${name}" is not supported (no template files)`);
    }
    override render(): void {
      throw new Error(`tag "${name}" is not supported`);
    }
  };
}

/** Replaces the file-reading tags of `liquid` with ones that fail at parse time. */
export function refuseFileTags(liquid: Liquid): void {
  for (const name of REFUSED_TAGS) liquid.registerTag(name, refusingTag(name));
}

let syntaxOnly: Liquid | undefined;

/**
 * The syntax error in `template` as the engine would report it (first line, no position), or null.
 * Such a template fails with 84003 every time it renders.
 */
export function liquidSyntaxError(template: string): string | null {
  if (syntaxOnly === undefined) {
    syntaxOnly = new Liquid({ ...BASE_LIQUID_OPTIONS });
    refuseFileTags(syntaxOnly);
  }
  try {
    syntaxOnly.parse(template);
    return null;
  } catch (error) {
    return ((error as Error).message ?? String(error)).split('\n')[0]!.replace(/, line:\d+, col:\d+$/, '');
  }
}
