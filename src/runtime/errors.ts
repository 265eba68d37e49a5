// Domain failures raised by the runtime. The API layer maps each kind to a Twilio status and code
// (src/api/wire/error-mapping.ts); the runtime itself knows nothing about HTTP.
import type { ValidationIssue } from '../definition/types.ts';

export type DomainErrorKind =
  | 'not-found'
  | 'invalid-parameter'
  | 'invalid-definition'
  | 'execution-conflict'
  | 'rate-limited';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly details: Record<string, unknown> | undefined;
  constructor(kind: DomainErrorKind, message: string, details?: Record<string, unknown>) {
    super(message);
    this.kind = kind;
    this.details = details;
  }
}

export const notFound = (what: string) => new DomainError('not-found', what);
export const invalidParameter = (message: string) => new DomainError('invalid-parameter', message);
export const invalidDefinition = (issues: ValidationIssue[]) =>
  new DomainError('invalid-definition', 'Invalid Flow Definition', { errors: issues });
