import { useSessionStore } from '../stores/session';

/** A refused or failed REST call, with the server's reason (`message`) when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

export interface Api {
  /** GET `path` and parse its JSON; throws `ApiError` with the server's reason on a non-2xx answer. */
  get<T>(path: string): Promise<T>;
  /** POST `body` as JSON; resolves with the parsed answer (undefined for 204). */
  post<T>(path: string, body: unknown): Promise<T>;
  /** DELETE `path`. */
  remove(path: string): Promise<void>;
}

async function parse<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    // A proxy's HTML error page is not our JSON: say the status rather than a parser message.
    if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
    throw new ApiError(response.status, `the server answered something other than JSON`, { cause: error });
  }
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String(body.message)
        : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

/** REST calls with the session's token (a 401 ends the session and brings back the login form). */
export function useApi(): Api {
  const session = useSessionStore();
  return {
    async get<T>(path: string): Promise<T> {
      return parse<T>(await session.authFetch(path));
    },
    async post<T>(path: string, body: unknown): Promise<T> {
      return parse<T>(
        await session.authFetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
    },
    async remove(path: string): Promise<void> {
      await parse<undefined>(await session.authFetch(path, { method: 'DELETE' }));
    },
  };
}
