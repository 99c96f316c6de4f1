import { MemoryThrottlerStorage } from './memory-throttler.storage';

describe('MemoryThrottlerStorage', () => {
  let storage: MemoryThrottlerStorage;
  beforeEach(() => {
    storage = new MemoryThrottlerStorage();
  });
  afterEach(() => storage.onApplicationShutdown());

  it('counts a fixed window, blocks beyond the limit, and starts over after the block', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      for (let hit = 1; hit <= 3; hit += 1) {
        expect(await storage.increment('k', 10_000, 3, 5_000)).toEqual({ totalHits: hit, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
      }
      expect(await storage.increment('k', 10_000, 3, 5_000)).toMatchObject({ isBlocked: true, timeToBlockExpire: 5 });
      // Blocked hits are not counted, and other keys are untouched.
      expect(await storage.increment('k', 10_000, 3, 5_000)).toMatchObject({ totalHits: 4, isBlocked: true });
      expect(await storage.increment('other', 10_000, 3, 5_000)).toMatchObject({ totalHits: 1, isBlocked: false });
      now.mockReturnValue(1_011_000);
      expect(await storage.increment('k', 10_000, 3, 5_000)).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    } finally {
      now.mockRestore();
    }
  });

  it('forgets expired keys, so a flood of callers cannot grow memory without bound', async () => {
    for (let i = 0; i < 1_000; i += 1) {
      await storage.increment(`caller-${i}`, 1_000, 10, 1_000);
    }
    expect(storage.size).toBe(1_000);
    storage.sweep(Date.now() + 1_001);
    expect(storage.size).toBe(0);
  });
});
