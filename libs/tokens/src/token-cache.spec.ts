import { Clock } from '@bot/providers';
import { CacheStamp, InstallationToken, TokenCache } from './token-cache';

class SteppedClock extends Clock {
  at = 1000;
  override monotonicMs(): number {
    return this.at;
  }
}

describe('TokenCache', () => {
  let clock: SteppedClock;
  let cache: TokenCache;
  const token = (id: string, stamp: CacheStamp): InstallationToken => ({
    installationId: id,
    platform: 'slack',
    externalOrgId: 'T1',
    accessToken: `xoxb-${id}`,
    expiresAt: null,
    refreshable: false,
    metadata: {},
    stamp,
  });

  beforeEach(() => {
    clock = new SteppedClock();
    cache = new TokenCache(clock);
  });

  const listening = () => {
    cache.reset(true);
    cache.renewLease(clock.at + 2000);
  };

  it('serves nothing before the listener holds a lease', () => {
    cache.set(token('a', cache.stamp('a')));
    expect(cache.get('a')).toBeUndefined();
    cache.reset(true);
    cache.set(token('a', cache.stamp('a')));
    expect(cache.get('a')).toBeUndefined();
  });

  it('serves tokens while the lease holds and nothing once it ran out, also after a renewal', () => {
    listening();
    cache.set(token('a', cache.stamp('a')));
    expect(cache.get('a')?.accessToken).toBe('xoxb-a');
    clock.at += 1999;
    expect(cache.get('a')).toBeDefined();
    clock.at += 1;
    expect(cache.get('a')).toBeUndefined();
    // A renewal after a lapse does not bring back what was cached before it.
    cache.renewLease(clock.at + 2000);
    expect(cache.get('a')).toBeUndefined();
  });

  it('a lapse noticed first by renewLease still empties the cache', () => {
    listening();
    cache.set(token('a', cache.stamp('a')));
    clock.at += 5000;
    cache.renewLease(clock.at + 2000);
    expect(cache.get('a')).toBeUndefined();
  });

  it('a token read before an invalidation of its installation is stale: not stored, and not current for sending', () => {
    listening();
    const stamp = cache.stamp('a');
    const other = cache.stamp('b');
    cache.invalidate('a');
    const read = token('a', stamp);
    expect(cache.isCurrent(read)).toBe(false);
    cache.set(read);
    expect(cache.get('a')).toBeUndefined();
    // Another installation's change does not touch it.
    expect(cache.isCurrent(token('b', other))).toBe(true);
  });

  it('a cached token stops being current when its installation changes or the lease lapses', () => {
    listening();
    const cached = token('a', cache.stamp('a'));
    cache.set(cached);
    expect(cache.isCurrent(cached)).toBe(true);
    cache.invalidate('a');
    expect(cache.isCurrent(cached)).toBe(false);

    const again = token('a', cache.stamp('a'));
    cache.set(again);
    clock.at += 2500;
    expect(cache.isCurrent(again)).toBe(false);
  });

  it('without a lease (connection lost) tokens read from the database stay current until a change or reset', () => {
    cache.reset(false);
    const read = token('a', cache.stamp('a'));
    clock.at += 60_000;
    expect(cache.isCurrent(read)).toBe(true);
    cache.reset(true);
    expect(cache.isCurrent(read)).toBe(false);
  });
});
