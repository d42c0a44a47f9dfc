/** An operator's action the alert's state or a concurrent change refused (answered 404 / 409). */
export class AlertActionError extends Error {
  override readonly name = 'AlertActionError';
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}
