// Reads test files (YAML or JSON), checks them against the published schema and loads the flow
// (and subflow) definitions they name. Every problem becomes a LoadError with the file and a
// location, never an exception with a stack trace.
import { isCalendarDate } from '../lib/calendar.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { closestName } from './closest-name.ts';
import AjvModule from 'ajv';
import { parse as parseYaml } from 'yaml';
import { markJsonWholeFloats, markYamlWholeFloats, yamlTagsKeepingWholeFloats } from './whole-floats.ts';
import type { FlowDefinition } from '../definition/types.ts';
import { isPlainObject, parseDefinitionFile } from '../definition/parse.ts';
import { validateDefinition } from '../definition/validate.ts';
import { substituteTemplateVars } from '../definition/template-vars.ts';
import type { JsonObject } from '../engine/types.ts';
import { isTooDeep, TOO_DEEP } from '../lib/json-depth.ts';
import { whereJsonBreaks } from '../lib/json-error.ts';
import { LruCache } from '../lib/lru.ts';
import { locate, schemaProblems } from './schema-errors.ts';
import type { Mocks, TestFile } from './types.ts';

const schema = JSON.parse(readFileSync(new URL('../../schemas/flow-test.schema.json', import.meta.url), 'utf8')) as object;
const Ajv = AjvModule.default;
// verbose: each error carries its schema, whose field names an unknown field is compared with.
const checkSchema = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);

export class LoadError extends Error {
  readonly file: string;
  /** Set when the flow (or subflow) file a test file names is not there: that file's path. */
  readonly missingFlow?: string;
  constructor(file: string, message: string, missingFlow?: string) {
    super(`${file}: ${message}`);
    this.file = file;
    if (missingFlow !== undefined) this.missingFlow = missingFlow;
  }
}

/**
 * The .json file beside `missing` (a flow file that is not there) whose name is closest to its name, when near
 * enough to be a typo (closestName), or null.
 */
export function closestFlowFile(missing: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dirname(missing)).filter((name) => /\.json$/i.test(name) && name !== 'flows.manifest.json').sort();
  } catch {
    return null;
  }
  const near = closestName(basename(missing), names);
  return near === undefined ? null : join(dirname(missing), near);
}

export interface LoadedFlow {
  path: string;
  definition: FlowDefinition;
  warnings: string[];
  /** With template vars given: the `${…}` placeholders they had no value for, left as written (template-vars.ts). */
  unfilled?: string[];
}

export interface LoadedTestFile {
  path: string;
  format: 'yaml' | 'json';
  file: TestFile;
  flow: LoadedFlow;
  /**
   * Per test (same index as file.tests): subflows by FlowSid, the test's own over the file's; null for
   * a subflow the test declares missing.
   */
  subflows: Map<string, LoadedFlow | null>[];
  /** Tests that cannot run (schema errors), by index, with why. */
  invalid: Map<number, string[]>;
}

/** A test's name, or "tests[2]" for one the schema rejects before it has a usable name. */
export function testName(test: unknown, index: number): string {
  const name = (test as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? name : `tests[${index}]`;
}

/** What parseTestFile returns: the file, and the tests it cannot run (by index) with why. */
export interface ParsedTestFile {
  file: TestFile;
  format: 'yaml' | 'json';
  /** Tests that do not match the schema (or whose clock does not exist), by index: the other tests still run. */
  invalid: Map<number, string[]>;
}

/** Reads and schema-checks a test file (without loading its flow). */
export function parseTestFile(path: string, text: string): ParsedTestFile {
  const format = /\.json$/i.test(path) ? 'json' : 'yaml';
  let data: unknown;
  if (format === 'json') {
    try {
      data = JSON.parse(text, markJsonWholeFloats as Parameters<typeof JSON.parse>[1]);
    } catch (error) {
      throw new LoadError(path, `not valid JSON${whereJsonBreaks(text, error)}`);
    }
  } else {
    // parse() is several times faster than a Document; --update re-reads the file as a Document.
    try {
      data = markYamlWholeFloats(parseYaml(text, { prettyErrors: true, customTags: yamlTagsKeepingWholeFloats }));
    } catch (error) {
      // The yaml library composes nesting by recursion and reports the stack overflow of a file nested thousands
      // deep as "Maximum call stack size exceeded at line…": such a file is refused for its depth, as a shallower
      // one over the limit is below.
      if (/Maximum call stack size exceeded/.test((error as Error).message)) throw new LoadError(path, `the test file is ${TOO_DEEP}`);
      throw new LoadError(path, `not valid YAML: ${(error as Error).message}`);
    }
  }
  // The runner copies and walks the file's values (parameters, mocks, inline subflows) recursively.
  if (isTooDeep(data)) throw new LoadError(path, `the test file is ${TOO_DEEP}`);
  const invalid = new Map<number, string[]>();
  if (!checkSchema(data)) {
    const problems = schemaProblems(checkSchema.errors ?? []);
    // Only on failure: the text is parsed again as a Document, whose nodes know where they are.
    const where = locate(text, problems.map((p) => p.path));
    const lines = problems.map((p, i) => (where[i] ? `${p.text}, at ${where[i]}` : p.text));
    // Problems all inside tests: those tests fail, the others run.
    const inTests = problems.length > 0 && problems.every((p) => p.path[0] === 'tests' && typeof p.path[1] === 'number');
    // A YAML file that is no test at all (a --vars file kept in tests/, which discover() reads whole): say why it was read.
    const noTest = isPlainObject(data) && !('flow' in data) && !('tests' in data) && !/\.test\.(ya?ml|json)$/i.test(path);
    const why = noTest ? `\n(it has neither 'flow' nor 'tests': every YAML file under a tests/ folder is read as a flow test; keep other YAML, such as a --vars file, outside it)` : '';
    if (!inTests) throw new LoadError(path, `does not match the flow test schema:\n  ${lines.slice(0, 8).join('\n  ')}${why}`);
    problems.forEach((p, i) => invalid.set(p.path[1] as number, [...(invalid.get(p.path[1] as number) ?? []), lines[i]!]));
  }
  const file = data as TestFile;
  if (file.clock !== undefined && parseClock(file.clock) === null) throw new LoadError(path, `clock: ${JSON.stringify(file.clock)} is not a date and time that exists`);
  file.tests.forEach((t, i) => {
    if (invalid.has(i) || t.clock === undefined || parseClock(t.clock) !== null) return;
    invalid.set(i, [`tests.${i}.clock: ${JSON.stringify(t.clock)} is not a date and time that exists`]);
  });
  return { file, format, invalid };
}

/**
 * A test clock's instant (ms): an ISO 8601 date and time with its UTC offset. Null for one that does
 * not exist (February 30th, 24:30), which Date.parse would roll over or refuse.
 */
export function parseClock(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = m.slice(1).map((v) => Number(v ?? 0));
  if (!isCalendarDate(year!, month!, day!) || hour! > 23 || minute! > 59 || second! > 59 || offsetHours! > 23 || offsetMinutes! > 59) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Flow files whose validated text is kept; past it the least recently loaded goes. */
export const FLOW_FILES_CACHED = 5000;
/** Many test files name the same flow: each file's text is validated once per process. */
const flowCache = new LruCache<string, { text: string; flow: LoadedFlow }>(FLOW_FILES_CACHED);

/**
 * `liquidVersion`: the release of Shopify's Liquid taken as Studio's (--liquid-version), for the validator's warnings
 * about filters and tags it lacks.
 */
export function loadFlowFile(path: string, liquidVersion?: string, vars?: JsonObject): LoadedFlow {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new LoadError(path, 'flow file not found', path);
  }
  const given = vars && Object.keys(vars).length > 0 ? vars : undefined;
  const key = `${liquidVersion ?? ''}\u0000${given ? JSON.stringify(given) : ''}\u0000${path}`;
  const cached = flowCache.get(key);
  if (cached && cached.text === text) return cached.flow;
  const flow = checkedFlow(path, ...validateFlowText(text, liquidVersion, given));
  flowCache.set(key, { text, flow });
  return flow;
}

/** A flow file's text validated: a Studio export, or a Flow resource (GET /v2/Flows/FW…) that holds it, as `simulate` takes them. */
function validateFlowText(text: string, liquidVersion?: string, vars?: JsonObject): [ReturnType<typeof validateDefinition>, string[]?] {
  const parsed = parseDefinitionFile(text);
  if (!parsed.ok) return [{ valid: false, errors: [{ property_path: '#', message: parsed.error }], warnings: [] }];
  return validateWithVars(parsed.definition, liquidVersion, vars);
}

/** A templated flow's deploy-time placeholders take the test's values first (template-vars.ts), then it is validated. */
function validateWithVars(source: unknown, liquidVersion?: string, vars?: JsonObject): [ReturnType<typeof validateDefinition>, string[]?] {
  if (!vars) return [validateDefinition(source, { liquidVersion })];
  const substituted = substituteTemplateVars(source, vars);
  return [validateDefinition(substituted.value, { liquidVersion }), substituted.left.filter((placeholder) => readByTheFlow(source, placeholder))];
}

/** Whether a placeholder appears somewhere the flow reads: not only in its `description`, which no run reads. */
function readByTheFlow(source: unknown, placeholder: string): boolean {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return true;
  const { description: _description, ...rest } = source as Record<string, unknown>;
  return JSON.stringify(rest).includes(JSON.stringify(placeholder).slice(1, -1));
}

/** The first problems of a definition that does not validate, one line each; empty when it does. */
function problemLines(result: ReturnType<typeof validateDefinition>): string[] {
  if (result.valid && result.definition) return [];
  return result.errors.slice(0, 8).map((e) => `${e.property_path}: ${e.message}`);
}

/**
 * Why a flow file with this text would not load as a test's flow or subflow (empty when it would):
 * `test --record` checks the revision it saves, so that it never writes a test that cannot load.
 */
export function flowTextProblems(text: string): string[] {
  return problemLines(validateFlowText(text)[0]);
}

function checkedFlow(path: string, result: ReturnType<typeof validateDefinition>, unfilled?: string[]): LoadedFlow {
  const problems = problemLines(result);
  if (problems.length || !result.definition) throw new LoadError(path, `the flow definition is not valid:\n  ${problems.join('\n  ')}`);
  const warnings = result.warnings.map((w) => `${w.property_path}: ${w.message}`);
  return { path, definition: result.definition, warnings, ...(unfilled?.length ? { unfilled } : {}) };
}

/** `subflows: { FW…: missing }` (or null): the test says this subflow does not exist. */
export const MISSING_SUBFLOW = 'missing';

function loadSubflows(base: string, mocks: Mocks | undefined, into: Map<string, LoadedFlow | null>, testFile: string, liquidVersion?: string, vars?: JsonObject): void {
  for (const [sid, source] of Object.entries(mocks?.subflows ?? {})) {
    if (source === null || source === MISSING_SUBFLOW) into.set(sid, null);
    else if (typeof source === 'string') into.set(sid, loadFlowFile(resolve(base, source), liquidVersion, vars));
    else into.set(sid, checkedFlow(`${testFile} (subflow ${sid})`, ...validateWithVars(source, liquidVersion, vars)));
  }
}

/**
 * `vars`: values for the flows' deploy-time `${…}` placeholders (`--vars FILE`); the test file's own `vars` win
 * over them, name by name.
 */
export function loadTestFile(path: string, liquidVersion?: string, vars?: JsonObject): LoadedTestFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new LoadError(path, 'test file not found');
  }
  const { file, format, invalid } = parseTestFile(path, text);
  const base = dirname(resolve(path));
  const values = vars || file.vars ? { ...vars, ...file.vars } : undefined;
  const flow = loadFlowFile(resolve(base, file.flow), liquidVersion, values);
  const shared = new Map<string, LoadedFlow | null>();
  loadSubflows(base, file.mocks, shared, path, liquidVersion, values);
  const subflows = file.tests.map((test, i) => {
    const own = new Map(shared);
    if (!invalid.has(i)) loadSubflows(base, test.mocks, own, path, liquidVersion, values);
    return own;
  });
  return { path, format, file, flow, subflows, invalid };
}
