/**
 * Bad input to the feature code: an unsupported time zone, a count outside the cube, a delta that would
 * make a count negative, a police unit where a district was expected. Thrown before any computation, so a
 * caller never sees half a result; never worth retrying.
 */
export class FeatureInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeatureInputError';
  }
}
