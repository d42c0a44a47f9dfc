import { describe, expect, it } from 'vitest';
import { initAugurs } from './augurs.js';

describe('initAugurs', () => {
  it('initialises once and returns working augurs classes', async () => {
    const [a, b] = await Promise.all([initAugurs(), initAugurs()]);
    expect(a).toBe(b);
    expect(await initAugurs()).toBe(a);
    expect(a.initMs).toBeGreaterThan(0);
    const ds = Array.from({ length: 30 }, (_, i) => 1_700_000_000 + i * 86_400);
    const y = ds.map((_, i) => 10 + (i % 7));
    const prophet = new a.Prophet({ optimizer: a.optimizer, uncertaintySamples: 0 });
    prophet.fit({ ds, y });
    expect(prophet.predict().yhat.point).toHaveLength(30);
    prophet.free();
    const mstl = a.MSTL.ets([7]);
    mstl.fit(y);
    expect(mstl.predict(7, 0.8).point).toHaveLength(7);
    mstl.free();
  });
});
