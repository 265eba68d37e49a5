// `switchboard flows validate`: checks the local files (--remote: with the server's Validate API too)
// and prints a line per file and a count (validate-report.ts); a check of no files fails.
import { basename } from 'node:path';
import { fileLines, summarize, summaryLine, tooManyWarningsText, type FileReport } from '../validate-report.ts';
import type { FlowsContext } from './context.ts';
import { localFiles, readDefinition } from './files.ts';

export async function flowsValidate({ values, positionals, dir, json, maxWarnings, validation, vars, client }: FlowsContext): Promise<number> {
  const files = localFiles(dir, positionals);
  // A check of nothing must not pass: a CI job pointed at the wrong folder would stay green.
  if (!files.length) {
    console.error(`switchboard flows validate: no flow files in ${dir}`);
    return 2;
  }
  const reports: FileReport[] = [];
  for (const file of files) {
    const read = readDefinition(file, validation, vars);
    let errors = read.errors;
    if (read.definition && values.remote) errors = await (await client()).validate(basename(file), read.definition);
    const report = { file, valid: errors.length === 0, errors, warnings: read.warnings, unreadable: read.unreadable !== undefined };
    reports.push(report);
    if (!json) for (const line of fileLines(report, values.quiet === true)) console.log(line);
  }
  const summary = summarize(reports, maxWarnings);
  if (json) console.log(JSON.stringify({ files: reports.map(({ unreadable: _, ...fields }) => fields), summary }, null, 2));
  else console.log(summaryLine(summary));
  const tooMany = tooManyWarningsText(summary);
  if (tooMany) console.error(`switchboard flows validate: ${tooMany}`);
  // Every file is still listed; a file that could not be read is a failure, not an answer.
  return summary.unreadable ? 2 : summary.invalid || tooMany ? 1 : 0;
}
