import { AppConfig } from '@bot/config';
import { PublicBaseUrl } from './public-base-url';

const resolver = (config: Partial<AppConfig>) => new PublicBaseUrl({ nodeEnv: 'development', port: 3001, trustProxy: false, ...config } as AppConfig);

describe('PublicBaseUrl', () => {
  const spoofed = { host: 'github-api.internal:3001', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

  it('the configured public URL wins over anything the caller sends', () => {
    expect(resolver({ publicUrl: 'https://github-api.example.com/gh', trustProxy: true }).of(spoofed)).toBe('https://github-api.example.com/gh');
  });

  it('without TRUST_PROXY, X-Forwarded-* are ignored; development takes the Host header', () => {
    expect(resolver({}).of(spoofed)).toBe('http://github-api.internal:3001');
  });

  it('with TRUST_PROXY, the first X-Forwarded-Host and -Proto are used', () => {
    expect(resolver({ trustProxy: true, nodeEnv: 'production' }).of({ ...spoofed, 'x-forwarded-host': 'api.example.com, proxy.internal' })).toBe('https://api.example.com');
  });

  it('in production without a public URL or TRUST_PROXY nothing is derived from the request', () => {
    expect(resolver({ nodeEnv: 'production' }).of(spoofed)).toBeUndefined();
  });

  it('a Host that is not a host[:port] is not used', () => {
    expect(resolver({}).of({ host: 'evil.example/path?x=' })).toBe('http://localhost:3001');
    expect(resolver({ trustProxy: true }).of({ 'x-forwarded-host': 'a b' })).toBeUndefined();
  });
});
