// Test support only, on its own path alias (`@bot/platforms/testing`) so that no app bundle pulls in @bot/testing.
export * from './pass-through.harness';
