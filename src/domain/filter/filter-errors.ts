import { inputError, type HeraldError } from '../errors.js';

/**
 * Every filter error names the field and the operator, so that a client with a filter of
 * 50 clauses can find the bad one; exception_fields carries the same under the field's name.
 */
export const filterFieldError = (field: string, op: string, problem: string): HeraldError =>
  inputError(`invalid filter: field ${JSON.stringify(field)} operator ${JSON.stringify(op)} ${problem}`, {
    [field]: `${op} ${problem}`,
  });

export const unsupportedOperatorError = (field: string, op: string, why = ''): HeraldError =>
  inputError(
    `invalid filter: field ${JSON.stringify(field)} does not support operator ${JSON.stringify(op)}${why}`,
    { [field]: `operator ${op} is not supported` },
  );

export const unsupportedFieldError = (field: string, reason: string): HeraldError =>
  inputError(`invalid filter: field ${JSON.stringify(field)} ${reason}`, { [field]: reason });

/** Errors about the filter as a whole (shape, size), not one field. */
export const filterShapeError = (problem: string): HeraldError =>
  inputError(`invalid filter: ${problem}`, { filter: problem });
