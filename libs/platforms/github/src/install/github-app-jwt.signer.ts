import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import { Injectable } from '@nestjs/common';
import { createPrivateKey, KeyObject, sign } from 'node:crypto';

/** Signs the GitHub App JWT (RS256, `iss` = app id, `iat` 60 s in the past against clock drift, 9 min life). */
@Injectable()
export class GitHubAppJwtSigner {
  private key?: KeyObject;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** A fresh app JWT. */
  sign(): string {
    const github = this.config.github;
    if (!github) throw new Error('the GitHub App is not configured');
    this.key ??= createPrivateKey(github.privateKey);
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: now - 60, exp: now + 540, iss: github.appId })}`;
    return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), this.key).toString('base64url')}`;
  }
}
