// The validator's findings on the definition being edited: a moment after the last edit (undoing
// included) the server's /console/api/Validate checks it, and the report shown is the one made for
// it. The same pause hands the definition's JSON to `onPause` (the draft compares it with the saved
// flow's), so a flow of hundreds of widgets, some 100 kB of JSON, is serialized once a pause. A check
// the server did not answer (stopped, restarting, failing) is asked again a while later, so an edit
// made meanwhile does not keep the findings of the flow before it once the server is back.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, UnreachableError } from '../api/client.ts';
import type { Flow, FlowDefinition, ValidationIssue, ValidationReport } from '../api/types.ts';
import { useApi } from '../auth/session.tsx';

export interface Validation {
  report: ValidationReport;
  /** The report that came with the definition whose JSON is `json` (loaded or saved); `definition`, when given, is that very object. */
  show: (report: ValidationReport, json: string, definition?: FlowDefinition) => void;
  /** A save refused for these errors: they are shown, with the warnings known, until the next report. */
  refuse: (errors: ValidationIssue[]) => void;
}

/** The report the server gave with a flow it loaded or saved. */
export function reportOf(flow: Flow): ValidationReport {
  return { valid: flow.valid ?? true, errors: flow.errors ?? [], warnings: flow.warnings ?? [] };
}

/** How long after the server did not answer the check is asked again. */
const VALIDATE_RETRY_MS = 2000;

export function useValidation(definition: FlowDefinition | null, onPause: (definition: FlowDefinition, json: string) => void): Validation {
  const api = useApi();
  const [report, setReport] = useState<ValidationReport>({ valid: true, errors: [], warnings: [] });
  /** The definition (JSON) the report belongs to. */
  const [reportFor, setReportFor] = useState('');
  /** The definition object the report is known to belong to. */
  const validated = useRef<FlowDefinition | null>(null);
  /** Bumped to ask again after the server did not answer. */
  const [retry, setRetry] = useState(0);

  useEffect(() => {
    if (!definition || definition === validated.current) return;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const timer = setTimeout(() => {
      const json = JSON.stringify(definition);
      onPause(definition, json);
      if (json === reportFor) {
        validated.current = definition;
        return;
      }
      api
        .post<ValidationReport>('/console/api/Validate', { Definition: json })
        .then((next) => {
          validated.current = definition;
          setReport(next);
          setReportFor(json);
        })
        .catch((caught: unknown) => {
          const passing = caught instanceof UnreachableError || (caught instanceof ApiError && (caught.status === 429 || caught.status >= 500));
          if (passing && !cancelled) retryTimer = setTimeout(() => setRetry((n) => n + 1), VALIDATE_RETRY_MS);
        });
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      clearTimeout(retryTimer);
    };
  }, [definition, reportFor, onPause, api, retry]);

  const show = useCallback((next: ValidationReport, json: string, shown?: FlowDefinition) => {
    setReportFor(json);
    if (shown) validated.current = shown;
    setReport(next);
  }, []);
  const refuse = (errors: ValidationIssue[]) => setReport({ valid: false, errors, warnings: report.warnings });
  return { report, show, refuse };
}
