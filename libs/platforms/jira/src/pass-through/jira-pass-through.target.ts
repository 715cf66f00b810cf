import { AppConfig } from '@bot/config';
import { PassThroughTarget, UpstreamCredential } from '@bot/pass-through';
import { Injectable } from '@nestjs/common';
import { jiraErrorShape } from './jira-error.shape';

/** Jira Cloud REST: `/rest/...` goes to the Atlassian API gateway under the installation's cloud id. */
@Injectable()
export class JiraPassThroughTarget extends PassThroughTarget {
  readonly platform = 'jira' as const;
  readonly displayName = 'Jira';
  readonly errorShape = jiraErrorShape;

  constructor(private readonly config: AppConfig) {
    super();
  }

  legacyCredential(): UpstreamCredential | undefined {
    const { jiraApiToken, jiraBaseUrl, jiraEmail } = this.config.legacy;
    if (!jiraApiToken || !jiraBaseUrl || !jiraEmail) return undefined;
    // Jira API tokens are used with the account's email as HTTP Basic credentials.
    return { kind: 'legacy', authorization: `Basic ${Buffer.from(`${jiraEmail}:${jiraApiToken}`).toString('base64')}`, baseUrl: jiraBaseUrl };
  }

  route(path: string, credential: UpstreamCredential) {
    if (!path.startsWith('/rest/')) return null;
    if (credential.kind === 'legacy') return { baseUrl: credential.baseUrl, path };
    const cloudId = encodeURIComponent(credential.token.externalOrgId);
    return { baseUrl: `${this.config.upstream.atlassianApiBaseUrl}/ex/jira/${cloudId}`, path };
  }
}
