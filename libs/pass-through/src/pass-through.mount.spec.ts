import { firstSegment, localFirstSegments } from './pass-through.mount';

describe('firstSegment', () => {
  it.each([
    ['/repos/octo/demo?x=1', 'repos'],
    ['/health', 'health'],
    ['/health?probe=1', 'health'],
    ['/docs/openapi.json', 'docs'],
    ['/', ''],
    ['/?x', ''],
  ])('%s → %s', (url, segment) => {
    expect(firstSegment(url)).toBe(segment);
  });
});

describe('localFirstSegments', () => {
  const passThroughPaths = ['installations/:installationId/api/:method', 'api/:method', '{*path}'];
  const route = (path: string) => ({ route: { path }, rawPath: path });

  it('keeps the first segment of every route and mounted middleware except the pass-through’s own and middleware on /', () => {
    const layers = [
      { rawPath: '/' },
      route('/docs/openapi.json'),
      { rawPath: '/docs' },
      route('/docs-yaml'),
      route('/health'),
      route('/health/ready'),
      route('/installations/:installationId/api/:method'),
      route('/api/:method'),
      route('/{*path}'),
      { rawPath: '/' },
    ];
    expect([...(localFirstSegments(layers, passThroughPaths) ?? [])].sort()).toEqual(['docs', 'docs-yaml', 'health']);
  });

  it('gives up (undefined) when a route of the app matches on its first segment or on /', () => {
    expect(localFirstSegments([route('/:tenant/health')], passThroughPaths)).toBeUndefined();
    expect(localFirstSegments([route('/')], passThroughPaths)).toBeUndefined();
    expect(localFirstSegments([{ rawPath: /^\/x/ }], passThroughPaths)).toBeUndefined();
  });
});
