import { Strategy as OAuth2Strategy, StrategyOptions } from 'passport-oauth2';
import { IssueState } from './installation-provider';

export interface OAuth2AuthorizationSettings {
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  scope: string[];
  scopeSeparator: string;
  pkce: boolean;
  /** Extra query parameters of the authorization request (Atlassian: audience, prompt). */
  extraParams?: Record<string, string>;
}

/**
 * passport-oauth2's state-store protocol backed by our single-use states. Only the authorization half of
 * the protocol is used: callbacks are completed by the oauth-service, which consumes the state itself.
 */
// The PKCE form of the protocol (store with 5 arguments) is not in @types/passport-oauth2, hence no `implements`.
class IssuingStateStore {
  constructor(private readonly issueState: IssueState) {}

  store(_req: unknown, verifier: string | undefined, _state: unknown, _meta: unknown, callback: (err: Error | null, state?: string) => void): void {
    this.issueState(verifier).then(
      (state) => callback(null, state),
      (error: Error) => callback(error),
    );
  }

  verify(_req: unknown, _state: string, _meta: unknown, callback: (err: Error | null, ok?: boolean) => void): void {
    callback(new Error('OAuth callbacks are completed by the oauth-service, which consumes the state itself'));
  }
}

/**
 * The authorization redirect of an OAuth 2.0 code flow, built by passport-oauth2: state from our store and,
 * with `pkce`, a fresh S256 verifier (handed to the store) and its challenge.
 */
export function oauth2AuthorizationUrl(settings: OAuth2AuthorizationSettings, issueState: IssueState): Promise<string> {
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: settings.authorizationURL,
      tokenURL: settings.tokenURL,
      clientID: settings.clientID,
      clientSecret: settings.clientSecret,
      callbackURL: settings.callbackURL,
      scope: settings.scope,
      scopeSeparator: settings.scopeSeparator,
      state: true,
      pkce: settings.pkce ? 'S256' : false,
      store: new IssuingStateStore(issueState),
    } as unknown as StrategyOptions,
    () => undefined,
  );
  strategy.authorizationParams = () => ({ ...settings.extraParams });
  return new Promise((resolve, reject) => {
    // passport's "strategy augmentation": the outcome callbacks are set on a per-request instance.
    const run = Object.create(strategy) as OAuth2Strategy & {
      redirect(url: string): void;
      error(error: Error): void;
      fail(): void;
    };
    run.redirect = resolve;
    run.error = reject;
    run.fail = () => reject(new Error('passport-oauth2 refused to build the authorization request'));
    run.authenticate({ query: {}, body: {} } as never, {});
  });
}
