/** Bad input to a model (wrong shape, non-finite value, too little data): thrown before any computation. */
export class ModelInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelInputError';
  }
}

/** A serialised model that this version cannot read (unknown format tag or malformed content). */
export class ModelFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelFormatError';
  }
}
