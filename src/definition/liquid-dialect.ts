/**
 * The filters and tags of Studio's Liquid: ONE list, read by the validator (which warns about a template using
 * anything else) and by the engine (which, unless told to keep liquidjs' extras, treats anything else as Studio
 * does).
 *
 * Studio renders Liquid with Shopify's Ruby Liquid in lax mode (reference §4.2: "classic Shopify-style Liquid …
 * Assume the Shopify standard set plus to_json"). There:
 *  - a filter it does not have is skipped: Strainer#invoke returns the filter's input unchanged, so
 *    `{{ list | push: 1 }}` prints the list as it was and `{{ "a-b" | slugify }}` prints "a-b";
 *  - a tag it does not have is a Liquid::SyntaxError when the template is parsed ("Unknown tag"), in every
 *    error mode: the template does not render (84003 here).
 * liquidjs has filters and tags from Jekyll and its own (push, where_exp, group_by, slugify, jsonify, sample,
 * date_to_xmlschema, layout, block…) that a flow tested against it alone would use without a sign of trouble.
 *
 * Which release of Shopify's Liquid Studio runs is UNCONFIRMED (its docs link to "standard filters" without a
 * list). The list below says which release brought each filter and tag (Shopify/liquid History.md and
 * standardfilters.rb), and the release taken as Studio's is configurable (--liquid-version). The default is
 * 5.4.0 (July 2022): it has every tag and filter of the 4.x and 5.x years that flows in the wild use (`where`,
 * `at_least`, `{% echo %}`, `{% liquid %}`, `base64_encode`, `remove_last`, `{% # … %}`) and none of the array
 * filters Shopify added from 2024 on (`sum` in 5.5.0, `find`/`find_index`/`has`/`reject` in 5.7.0): the newest
 * additions are the ones a hosted service that pinned its gem most likely lacks, and a flow that avoids them
 * works on Twilio whichever release Studio runs. `to_json` is Twilio's own addition (reference §4.2).
 *
 * Those liquidjs lacks are the engine's own: the filters `h` (an alias of `escape`), `base64_url_safe_encode` and
 * `base64_url_safe_decode` (../engine/liquid/base64-filters.ts), the tags `ifchanged` and `doc`
 * (./liquid-ruby-tags.ts).
 */
import { liquidNames, unknownOperators } from './liquid-syntax.ts';

/** A Shopify Liquid release, as "major.minor.patch". */
export type LiquidVersion = string;

/** The release of Shopify's Liquid taken as Studio's by default (see the header; Studio's is UNCONFIRMED). */
export const DEFAULT_LIQUID_VERSION: LiquidVersion = '5.4.0';

/** The oldest release this list describes (3.x lacked `url_decode`, `compact`, `concat`, `sort_natural`). */
export const OLDEST_LIQUID_VERSION: LiquidVersion = '4.0.0';

/** Twilio's own filter: in Studio whatever its Liquid release. */
const TWILIO = 'twilio';

/** Studio's filters: the Shopify release that brought each (standardfilters.rb), or Twilio's own. */
export const STUDIO_FILTERS: Readonly<Record<string, LiquidVersion | typeof TWILIO>> = Object.freeze({
  ...Object.fromEntries(
    [
      'size', 'downcase', 'upcase', 'capitalize', 'escape', 'h', 'escape_once', 'url_encode', 'url_decode', 'slice',
      'truncate', 'truncatewords', 'split', 'strip', 'lstrip', 'rstrip', 'strip_html', 'strip_newlines', 'join', 'sort',
      'sort_natural', 'uniq', 'reverse', 'map', 'compact', 'replace', 'replace_first', 'remove', 'remove_first', 'append',
      'concat', 'prepend', 'newline_to_br', 'date', 'first', 'last', 'abs', 'plus', 'minus', 'times', 'divided_by',
      'modulo', 'round', 'ceil', 'floor', 'default',
    ].map((name) => [name, '4.0.0']),
  ),
  at_least: '4.0.1',
  at_most: '4.0.1',
  where: '4.0.2',
  base64_encode: '5.1.0',
  base64_decode: '5.1.0',
  base64_url_safe_encode: '5.1.0',
  base64_url_safe_decode: '5.1.0',
  remove_last: '5.2.0',
  replace_last: '5.2.0',
  sum: '5.5.0',
  find: '5.7.0',
  find_index: '5.7.0',
  has: '5.7.0',
  reject: '5.7.0',
  to_json: TWILIO,
});

/** Studio's tags (block tags by their opening name): the Shopify release that brought each. */
export const STUDIO_TAGS: Readonly<Record<string, LiquidVersion>> = Object.freeze({
  ...Object.fromEntries(
    [
      'assign', 'break', 'capture', 'case', 'comment', 'continue', 'cycle', 'decrement', 'for', 'if', 'ifchanged',
      'include', 'increment', 'raw', 'tablerow', 'unless',
    ].map((name) => [name, '4.0.0']),
  ),
  echo: '5.0.0',
  liquid: '5.0.0',
  render: '5.0.0',
  '#': '5.4.0',
  doc: '5.8.0',
});

const VERSION_TEXT = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$/;

function parts(version: LiquidVersion): [number, number, number] {
  const m = VERSION_TEXT.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0];
}

/** -1, 0 or 1 as release `a` is older than, the same as or newer than `b`. */
export function compareLiquidVersions(a: LiquidVersion, b: LiquidVersion): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/**
 * A release written as `5.4`, `5.4.0` or `4.0.2`, as "major.minor.patch"; undefined for text that is not one or a
 * release older than OLDEST_LIQUID_VERSION.
 */
export function parseLiquidVersion(text: string): LiquidVersion | undefined {
  const m = VERSION_TEXT.exec(text.trim());
  if (!m) return undefined;
  const version = `${Number(m[1])}.${Number(m[2])}.${Number(m[3] ?? 0)}`;
  return compareLiquidVersions(version, OLDEST_LIQUID_VERSION) < 0 ? undefined : version;
}

/** Whether Studio's Liquid, at `version`, has the filter `name`. */
export function isStudioFilter(name: string, version: LiquidVersion = DEFAULT_LIQUID_VERSION): boolean {
  if (!Object.hasOwn(STUDIO_FILTERS, name)) return false;
  const since = STUDIO_FILTERS[name]!;
  return since === TWILIO || compareLiquidVersions(since, version) <= 0;
}

/** Whether Studio's Liquid, at `version`, has the tag `name`. */
export function isStudioTag(name: string, version: LiquidVersion = DEFAULT_LIQUID_VERSION): boolean {
  return Object.hasOwn(STUDIO_TAGS, name) && compareLiquidVersions(STUDIO_TAGS[name]!, version) <= 0;
}

/** The Shopify release that brought `name` (a filter or a tag), when Shopify's Liquid has it at all. */
export function liquidSince(kind: 'filter' | 'tag', name: string): LiquidVersion | undefined {
  const table: Readonly<Record<string, string>> = kind === 'filter' ? STUDIO_FILTERS : STUDIO_TAGS;
  const since = Object.hasOwn(table, name) ? table[name] : undefined;
  return since === TWILIO ? undefined : since;
}

/** Why a release-gated name is missing: the release that brought it, next to the one taken as Studio's. */
function sinceNote(kind: 'filter' | 'tag', name: string, version: LiquidVersion): string {
  const since = liquidSince(kind, name);
  return since ? ` (Shopify's Liquid has it since ${since}; Studio's is taken to be ${version}, see --liquid-version)` : '';
}

/**
 * What Twilio does differently with `template` because it uses filters or tags Studio's Liquid (at `version`) does
 * not have, or a condition whose operator Studio's lax parser does not know (see laxCondition), one message per
 * name (tags, then filters, then unknown operators, each in the order written); none for a template that does not
 * parse (its syntax error says enough). Messages complete "<widget>: <property>: …".
 */
export function studioLiquidGaps(template: string, version: LiquidVersion = DEFAULT_LIQUID_VERSION): string[] {
  const names = liquidNames(template);
  if (names === null) return [];
  const gaps: string[] = [];
  for (const tag of names.tags) {
    if (!isStudioTag(tag, version)) gaps.push(`tag '${tag}' is not in Studio's Liquid: Twilio fails to render the template (84003)${sinceNote('tag', tag, version)}`);
  }
  for (const filter of names.filters) {
    if (!isStudioFilter(filter, version)) gaps.push(`filter '${filter}' is not in Studio's Liquid: Twilio returns its input unchanged${sinceNote('filter', filter, version)}`);
  }
  for (const operator of unknownOperators(template)) {
    gaps.push(`a condition has '${operator}' where Studio's Liquid reads an operator (as in \`a. b\`, a space after a dot, or \`a = b\`): rendering it fails with 84003 (Unknown operator ${operator})`);
  }
  return gaps;
}
