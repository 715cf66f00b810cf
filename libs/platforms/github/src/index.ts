export * from './install/github-app-jwt.signer';
export * from './install/github-app.provider';
export * from './pass-through/github-pass-through.target';
export * from './pass-through/github-pass-through.module';
export * from './webhooks/github-lifecycle.service';
export * from './webhooks/github-webhooks.service';
export * from './client/github.client';
export * from './fake/fake-github';
