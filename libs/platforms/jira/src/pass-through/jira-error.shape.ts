import { PlatformErrorShape } from '@bot/pass-through';

/** Jira Cloud REST errors: `{ errorMessages: [...], errors: {} }` with the HTTP status. */
export const jiraErrorShape: PlatformErrorShape = {
  body: (error) => ({ errorMessages: [error.message], errors: {} }),
};
