import { ThrottlerStorage } from '@nestjs/throttler';

/** What a throttler storage answers for one hit (the package does not export the type from its index). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
