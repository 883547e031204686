/** For the CLI's tests (not used by the app): run the command line as a user does, through tsx. */
import { spawnSync } from 'node:child_process';

/** `scgnn eval <args>`: its exit status, the tail of its stderr and the JSON report on stdout's last line. */
export function evalReport(args: readonly string[]): {
  status: number | null;
  stderr: string;
  report: Record<string, unknown> | null;
} {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/scgnn.ts', 'eval', ...args, '--quiet'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let report: Record<string, unknown> | null;
  try {
    report = JSON.parse(last) as Record<string, unknown>;
  } catch {
    report = null;
  }
  return { status: r.status, stderr: r.stderr.slice(-2000), report };
}
