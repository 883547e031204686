/**
 * Parsing of the preprocessing inputs as typed by the user (percentages and counts), with the text of
 * each parameter's explanation. Returns null for a value that cannot be used.
 */
import { preprocessDefaults, type PreprocessParams } from '../../core/preprocess/preprocess.ts';

/** "1" (percent) → 0.01; null when not a number in 0..100. */
export function parsePercent(text: string): number | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 && v <= 100 ? v / 100 : null;
}

/** "2000" → 2000; null unless a positive integer. */
export function parsePositiveInt(text: string): number | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isInteger(v) && v >= 1 ? v : null;
}

/** Fraction → text for a percent input (0.01 → "1"). */
export function percentText(fraction: number): string {
  return String(Math.round(fraction * 100 * 1e6) / 1e6);
}

export const paramHelp: Record<keyof PreprocessParams, string> = {
  minCellFraction: `Keep genes detected (non-zero) in at least this share of cells. scGNN default ${percentText(preprocessDefaults.minCellFraction)} %.`,
  minGeneFraction: `Then keep cells in which at least this share of the kept genes is detected. scGNN default ${percentText(preprocessDefaults.minGeneFraction)} %.`,
  nTopGenes: `Then keep this many genes with the largest variance across the kept cells. scGNN default ${preprocessDefaults.nTopGenes}.`,
  log1p: 'Transform values to ln(1 + x). scGNN default on; turn off for data that is already log-normalised.',
};
