import { PlatformErrorShape } from '@bot/pass-through';

/** GitHub REST errors: `{ message, documentation_url, status }` with the HTTP status; Octokit raises a RequestError. */
export const gitHubErrorShape: PlatformErrorShape = {
  body: (error, context) => ({ message: error.message, documentation_url: `${context.appBaseUrl ?? ''}/docs`, status: String(error.status) }),
};
