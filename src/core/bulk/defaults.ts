/** Default bulk-integration parameters: the reference's optimiser settings (reference note §2.5) where sound. */
import type { BulkParams } from './types.ts';

export const bulkDefaults: BulkParams = {
  minGenes: 50,
  minGeneFraction: 0.1,
  proportions: { learningRate: 1e-3, maxSteps: 5000, tolerance: 1e-4, priorWeight: 1e-2 },
  profiles: { learningRate: 1e-1, maxSteps: 500, tolerance: 1e-4, regularisation: 1e-2 },
  geneScale: { learningRate: 1e-2, maxSteps: 20, tolerance: 1e-4 },
  feedback: true,
  blendSampleCells: 5000,
};
