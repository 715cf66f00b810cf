import { compileWebhookJql, WebhookJqlSubject } from './fake-webhook-jql';

const issue: WebhookJqlSubject = { issueKey: 'SBX-4', projectKey: 'SBX', issueType: 'Bug', status: 'To Do', assignee: null, reporter: 'u1' };
const matches = (jql: string) => {
  const filter = compileWebhookJql(jql);
  if ('error' in filter) throw new Error(filter.error);
  return filter.matches(issue);
};

describe('the fake Jira dynamic-webhook JQL', () => {
  it.each([
    ['project != null', true],
    ['project = SBX', true],
    ['project = "OTHER"', false],
    ['project IN (ABC, sbx)', true],
    ['issuetype NOT IN (Bug, Task)', false],
    ['project = SBX AND issuetype = Task', false],
    ['project = OTHER OR issueKey = SBX-4', true],
    ['assignee = null', true],
  ])('%s → %s', (jql, expected) => {
    expect(matches(jql)).toBe(expected);
  });

  it.each([
    ['', 'must not be empty'],
    ['project is not EMPTY', 'Operator is not is unsupported'],
    ['summary ~ "x"', 'Field summary is unsupported'],
    ['project = SBX AND', 'expecting a field name'],
  ])('refuses %j like Jira', (jql, error) => {
    expect(compileWebhookJql(jql)).toEqual({ error: expect.stringContaining(error) });
  });
});
