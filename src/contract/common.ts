/**
 * Types shared by the workers' APIs (`src/engine/contract.ts`, `src/layout/contract.ts`) and the page: the
 * `Result` that carries expected failures across a worker boundary as values (a thrown error loses its code
 * on the way; anything thrown is a bug), and the cell graph's edge list. Types and two tiny constructors only.
 */

/** An expected failure: a machine-readable code and a sentence for the user. */
export interface WorkerError<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
}

/** A value, or why there is none. */
export type Result<T, E extends WorkerError = WorkerError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<Code extends string>(
  code: Code,
  message: string,
): { readonly ok: false; readonly error: WorkerError<Code> } {
  return { ok: false, error: { code, message } };
}

/** Undirected edges of the cell graph, each once (from < to), as parallel arrays. */
export interface EdgeList {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float32Array;
}
