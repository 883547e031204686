/**
 * Presets (presets.ts): lookup by name and the deep merge of overrides (b wins, nested objects merge, arrays
 * and typed arrays are replaced whole), on small objects whose merge is written out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ScgnnParamsOverride } from './params.ts';
import { mergeOverrides, presetByName, presets } from './presets.ts';

describe('presets (presets.ts)', () => {
  it('finds presets by name', () => {
    expect(presets.map((p) => p.name)).toEqual(['default', 'quick', 'scgnn1-paper', 'scgnn2']);
    expect(presetByName('quick')?.params.ltmg).toEqual({ enabled: false });
    expect(presetByName('scgnn2')?.params.graphAe).toEqual({ enabled: true, model: 'gat' });
    expect(presetByName('nope')).toBeUndefined();
  });

  it('merges nested overrides, the second winning, without touching the inputs', () => {
    const a: ScgnnParamsOverride = { seed: 1, featureAe: { pretrain: { epochs: 10, batchSize: 16 } } };
    const b: ScgnnParamsOverride = {
      featureAe: { pretrain: { epochs: 3 }, hidden: 64 },
      iterations: { max: 1 },
    };
    expect(mergeOverrides(a, b)).toEqual({
      seed: 1,
      featureAe: { pretrain: { epochs: 3, batchSize: 16 }, hidden: 64 },
      iterations: { max: 1 },
    });
    expect(a).toEqual({ seed: 1, featureAe: { pretrain: { epochs: 10, batchSize: 16 } } });
    expect(mergeOverrides(a, {})).toEqual(a);
  });

  it('replaces arrays and typed arrays instead of merging them', () => {
    const merged = mergeOverrides(
      { x: [1, 2, 3], t: Float32Array.of(1, 2) } as unknown as ScgnnParamsOverride,
      { x: [9], t: Float32Array.of(7) } as unknown as ScgnnParamsOverride,
    ) as unknown as { x: number[]; t: Float32Array };
    expect(merged.x).toEqual([9]);
    expect([...merged.t]).toEqual([7]);
  });

  it('the quick preset merged over the defaults keeps the untouched defaults', () => {
    const quick = presetByName('quick')!.params;
    const m = mergeOverrides(quick, { featureAe: { pretrain: { epochs: 2 } } });
    expect(m.featureAe?.pretrain?.epochs).toBe(2);
    expect(m.featureAe?.iteration?.epochs).toBe(3);
    expect(m.iterations?.max).toBe(2);
  });
});
