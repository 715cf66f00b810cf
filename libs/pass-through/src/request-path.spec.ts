import { PassThroughError } from './pass-through.errors';
import { splitInstallationPrefix, upstreamUrl, validateRequestTarget } from './request-path';

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
    ['/repos/a%5cb', 'encoded backslash'],
    ['/repos/a%5Cb/c', 'encoded backslash, upper case'],
    ['/repos/a%255cb', 'double-encoded backslash'],
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

describe('splitInstallationPrefix', () => {
  const id = '0b6f6f3e-3c8a-4a55-9d1e-2f3f1b2c4d5e';
  it.each([
    [`/installations/${id}/rest/api/3/myself`, id, '/rest/api/3/myself'],
    [`/installations/${id}/api/chat.postMessage`, id, '/api/chat.postMessage'],
    [`/installations/${id}`, id, '/'],
    [`/installations/${id}/`, id, '/'],
    ['/installations/not-a-uuid/repos', 'not-a-uuid', '/repos'],
    ['/installations//repos', '', '/repos'],
  ])('%s → installation %s, path %s', (path, installationId, rest) => {
    expect(splitInstallationPrefix(path)).toEqual({ installationId, path: rest });
  });

  it.each(['/repos/o/r/issues', '/installation/repositories', '/user/installations/1/repositories', '/installations'])('%s has no prefix', (path) => {
    expect(splitInstallationPrefix(path)).toEqual({ installationId: null, path });
  });
});

describe('upstreamUrl', () => {
  it('appends the path under the base, keeping a base path prefix', () => {
    expect(upstreamUrl('https://api.atlassian.com/ex/jira/abc', '/rest/api/3/issue/SBX-1?expand=x')).toEqual({
      origin: 'https://api.atlassian.com',
      path: '/ex/jira/abc/rest/api/3/issue/SBX-1?expand=x',
    });
    expect(upstreamUrl('https://api.github.com/', '/repos/o/r')).toEqual({ origin: 'https://api.github.com', path: '/repos/o/r' });
  });

  it('refuses a result outside the base (defence in depth behind validateRequestTarget)', () => {
    expect(() => upstreamUrl('https://api.atlassian.com/ex/jira/abc', '/../def/rest')).toThrow(PassThroughError);
    expect(() => upstreamUrl('https://api.github.com', '@evil.example/x')).toThrow(PassThroughError);
    expect(() => upstreamUrl('https://api.github.com', '//evil.example/x')).toThrow(PassThroughError);
    expect(() => upstreamUrl('https://api.atlassian.com/ex/jira/abc', '/rest/%2E%2e/x')).toThrow(PassThroughError);
    expect(() => upstreamUrl('https://api.atlassian.com/ex/jira/abc', '/rest/..?x=1')).toThrow(PassThroughError);
  });
});
