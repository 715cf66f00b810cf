import { PlatformErrorShape } from '@bot/pass-through';

/** Sentry web API errors: `{ "detail": "…" }` with the HTTP status (the machinery adds `code`). */
export const sentryErrorShape: PlatformErrorShape = {
  body: (error) => ({ detail: error.message }),
};
