/**
 * The run estimate (src/core/pipeline/run-estimate.ts) in words for the run controls: one line beside Run
 * ("About 1.1 GB of memory and 20 minutes on WASM."), what it rests on, and, for a run that would not fit,
 * why Run is disabled and what to change. React-free, so it is tested on its own.
 */
import {
  formatDuration,
  formatMemory,
  LONG_RUN_SECONDS,
  type RunEstimate,
} from '../../core/pipeline/run-estimate.ts';

/** One line: memory and time on the backend, e.g. "About 1.1 GB of memory and 20 minutes on WASM." */
export function estimateLine(e: RunEstimate): string {
  const memory = formatMemory(e.peakMemoryMb);
  return `About ${memory} of memory and ${formatDuration(e.seconds)} on ${e.backend.toUpperCase()}.`;
}

/** What the estimate rests on and how far to trust it, plus a note for a long run. */
export function estimateBasis(e: RunEstimate): string {
  const parts = [
    `Estimated for ${e.cells.toLocaleString('en-US')} cells and ${e.genes.toLocaleString('en-US')} genes from ` +
      'measured runs of 10,000, 30,000 and 100,000 cells; the time depends on the computer and may be off by 2x or more.',
  ];
  if (e.speedBasis === 'assumed')
    parts.push(
      `The ${e.backend.toUpperCase()} time is a guess: no GPU was measured, so it assumes the GPU is a few ` +
        'times faster than WebAssembly.',
    );
  if (e.notCounted.length) parts.push(`Not counted: ${e.notCounted.join(', ')}.`);
  if (e.seconds > LONG_RUN_SECONDS)
    parts.push(
      'This is a long run: keep this tab open and the computer awake, or use the command line ' +
        '(npm run scgnn -- run).',
    );
  return parts.join(' ');
}

/** Why Run is disabled for a run that would not fit, and what to change; null when it fits. */
export function estimateRefusal(e: RunEstimate): { reason: string; fixes: string[] } | null {
  if (e.fits) return null;
  return {
    // Follows "Run is disabled: " on the page.
    reason: `${e.reasons.join('; ')}.`,
    fixes: e.suggestions.map((s) => `${capitalise(s)}.`),
  };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
