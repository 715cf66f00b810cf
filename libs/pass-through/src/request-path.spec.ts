import { PassThroughError } from './pass-through.errors';
import { upstreamUrl, validateRequestTarget } from './request-path';

describe('validateRequestTarget', () => {
  it.each([
    ['/repos/octo/demo/issues?per_page=10&page=2', '/repos/octo/demo/issues', '?per_page=10&page=2'],
    ['/api/chat.postMessage', '/api/chat.postMessage', ''],
    ['/repos/octo/demo/branches/feature%2Fx', '/repos/octo/demo/branches/feature%2Fx', ''],
    ['/rest/api/3/search?jql=project%20%3D%20SBX', '/rest/api/3/search', '?jql=project%20%3D%20SBX'],
  ])('accepts %s', (target, path, query) => {
    expect(validateRequestTarget(target)).toEqual({ path, query });
  });

  it.each([
    ['http://evil.example/repos', 'absolute URL'],
    ['//evil.example/repos', 'protocol-relative'],
    ['/repos/../admin', 'plain ..'],
    ['/repos/%2e%2e/admin', 'encoded ..'],
    ['/repos/%252e%252e/admin', 'double-encoded ..'],
    ['/repos/a%2F..%2Fb', 'encoded slash with ..'],
    ['/repos/./x', 'single dot'],
    ['/repos\\..\\x', 'backslashes'],
    ['/repos/%E0%A4%A', 'malformed encoding'],
    ['/repos/%00x', 'encoded NUL'],
  ])('rejects %s (%s) with invalid_path', (target) => {
    let error: unknown;
    try {
      validateRequestTarget(target);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PassThroughError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_path' });
  });
});

describe('upstreamUrl', () => {
  it('appends the path under the base, keeping a base path prefix', () => {
    expect(upstreamUrl('https://api.atlassian.com/ex/jira/abc', '/rest/api/3/issue/SBX-1?expand=x').toString()).toBe(
      'https://api.atlassian.com/ex/jira/abc/rest/api/3/issue/SBX-1?expand=x',
    );
  });

  it('refuses a result outside the base (defence in depth behind validateRequestTarget)', () => {
    expect(() => upstreamUrl('https://api.atlassian.com/ex/jira/abc', '/../def/rest')).toThrow(PassThroughError);
    expect(() => upstreamUrl('https://api.github.com', '@evil.example/x')).toThrow(PassThroughError);
  });
});
