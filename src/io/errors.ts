/**
 * A bad value of one named setting, raised by library code. `field` names the setting in the library's own terms
 * (a config path such as "data.fraction" or "denoiser.lr", an option such as "d"), `reason` says what is wrong; the
 * message is "field: reason". The CLI maps fields to its flag names (src/cli/fields.ts) instead of reading messages.
 * It is a RangeError, so callers that catch bad arguments as RangeError keep working.
 */
export class FieldError extends RangeError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FieldError';
  }
}
