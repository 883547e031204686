/**
 * Options and progress events shared by every loader.
 */
import type { Orientation } from '../core/dataset.ts';

export interface LoadProgress {
  /** File being read. */
  readonly file: string;
  /** 0..1 over the whole load (best effort; compressed bytes consumed for streamed files). */
  readonly fraction: number;
  /** Short human-readable description of the current step. */
  readonly message: string;
}

export interface LoadOptions {
  /** Orientation of delimited text files; 'auto' (default) detects it from names and shape. */
  readonly orientation?: Orientation | 'auto';
  /**
   * Largest amount of memory (bytes) the loaded data may take. A file whose estimated in-memory size exceeds
   * it is refused with a 'too-large' error before anything big is allocated. Default 2 GiB.
   */
  readonly memoryBudgetBytes?: number;
  readonly onProgress?: (p: LoadProgress) => void;
  readonly signal?: AbortSignal;
}

export const DEFAULT_MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;
