import { PassThroughHarness } from '@bot/platforms/testing';

/** A GitHub App installation in the fake and its row here, with a minted token. */
export async function installGitHubAccount(h: PassThroughHarness, login: string) {
  const installation = h.sandbox.github.install(login);
  const minted = h.sandbox.github.mintToken(installation.id);
  const row = await h.seed({
    platform: 'github',
    externalOrgId: String(installation.account.id),
    externalOrgName: login,
    externalInstallId: String(installation.id),
    accessToken: minted.token,
    tokenExpiresAt: new Date(minted.expiresAt),
  });
  return { installation, row, token: minted.token };
}
