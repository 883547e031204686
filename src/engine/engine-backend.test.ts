import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { mergeOverrides, presetByName } from '../core/pipeline/presets.ts';
import { inputFileFromPath } from '../io/node-input.ts';
import type { RunEvent } from './contract.ts';
import { createEngine } from './engine.ts';

const goolam = '../shared/data/goolam_smartseq2_top2000';

describe('the engine and its backend choice', () => {
  it('probes again, and says so, when the dataset keeps far fewer genes than the probe assumed', async () => {
    tf.env().set('IS_TEST', true);
    const engine = createEngine(tf);
    const first = await engine.init('auto');
    expect(first.name).toBe('wasm');
    expect(first.probeGenes).toBe(2000);
    const loaded = await engine.loadFiles([await inputFileFromPath(`${goolam}/counts.csv.gz`)], {
      orientation: 'auto',
    });
    expect(loaded.ok).toBe(true);
    const params = mergeOverrides(presetByName('quick')!.params, {
      preprocess: { nTopGenes: 300 },
      featureAe: { pretrain: { epochs: 2 }, iteration: { epochs: 1 } },
      clusterAe: { epochs: 1 },
    });
    const events: RunEvent[] = [];
    const result = await engine.run({ params }, (e) => events.push(e));
    expect(result.ok).toBe(true);
    const probed = events.filter((e) => e.type === 'backend');
    expect(probed).toHaveLength(1);
    const info = probed[0]!.type === 'backend' ? probed[0]!.info : null;
    expect(info!.probeGenes).toBe(300);
    expect(info!.name).toBe('wasm');
    // The probe comes before the run's own stages, and the run then uses that backend.
    expect(events.findIndex((e) => e.type === 'backend')).toBeLessThan(
      events.findIndex((e) => (e.type === 'stage-start' && e.stage === 'ltmg' ? true : e.type === 'loss')),
    );
    if (result.ok) expect(result.value.backend).toBe('wasm');
    // Same gene count next time: no new probe.
    const again: RunEvent[] = [];
    expect((await engine.run({ params }, (e) => again.push(e))).ok).toBe(true);
    expect(again.some((e) => e.type === 'backend')).toBe(false);
  });
});
