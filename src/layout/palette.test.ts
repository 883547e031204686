/**
 * Cluster colours. Expected values: the first 20 are CLUSTER_PALETTE itself; cluster 20 is #0072b2 mixed 35 %
 * toward black (0x00, round(0x72·0.65) = 74 = 0x4a, round(0xb2·0.65) = 116 = 0x74), cluster 40 is it mixed
 * 45 % toward white (round(0 + 255·0.45) = 115 = 0x73, round(114 + 141·0.45) = 177 = 0xb1,
 * round(178 + 77·0.45) = 213 = 0xd5), computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { CLUSTER_PALETTE, UNASSIGNED_COLOR, clusterColor } from './palette.ts';

describe('clusterColor', () => {
  it('gives the palette in order for the first 20 clusters', () => {
    expect(CLUSTER_PALETTE.length).toBe(20);
    for (let i = 0; i < 20; i++) expect(clusterColor(i)).toBe(CLUSTER_PALETTE[i]);
    expect(clusterColor(0)).toBe('#0072b2');
  });

  it('darkens on the second round and lightens on the third (hand-computed)', () => {
    expect(clusterColor(20)).toBe('#004a74');
    expect(clusterColor(40)).toBe('#73b1d5');
    // The fourth round starts over.
    expect(clusterColor(60)).toBe(clusterColor(0));
  });

  it('is deterministic and distinct for the first 60 clusters, all lowercase #rrggbb', () => {
    const colours = Array.from({ length: 60 }, (_, i) => clusterColor(i));
    expect(Array.from({ length: 60 }, (_, i) => clusterColor(i))).toEqual(colours);
    expect(new Set(colours).size).toBe(60);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(colours).not.toContain(UNASSIGNED_COLOR);
  });

  it('greys out negative and non-numeric codes', () => {
    expect(clusterColor(-1)).toBe(UNASSIGNED_COLOR);
    expect(clusterColor(Number.NaN)).toBe(UNASSIGNED_COLOR);
  });
});
