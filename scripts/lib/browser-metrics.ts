/**
 * What `bench:browser` measures besides seconds: the memory of Chromium's processes, read from /proc (Linux),
 * and the page's long main-thread tasks (PerformanceObserver 'longtask'), each attributed to the phase the
 * page was in. The parsing and summarising here is pure; the /proc access goes through a small reader so the
 * tests can feed it a fake process table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { adjustedRandIndex } from '../../src/core/cluster/metrics.ts';

/** VmRSS and VmHWM (kB) of a /proc/<pid>/status text; null where a field is missing (e.g. a zombie). */
export function parseProcStatus(text: string): { rssKb: number | null; hwmKb: number | null } {
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s*(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** The parent pid in a /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function parseProcStatPpid(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/**
 * Chromium's process type from /proc/<pid>/cmdline: its `--type=` flag, else 'browser'. The browser's arguments
 * are NUL-separated; the zygote's children (renderers, GPU, utilities) rewrite their title into one string with
 * spaces, so both separate.
 */
export function chromiumProcessType(cmdline: string): string {
  for (const arg of cmdline.split(/[\0\s]/)) if (arg.startsWith('--type=')) return arg.slice(7);
  return 'browser';
}

/** `root` and every process below it, given each process's parent. */
export function descendants(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** Access to a process table: the live /proc, or a fake in the tests. */
export interface ProcReader {
  pids(): number[];
  /** The text of /proc/<pid>/<file>, or null when the process is gone or the file unreadable. */
  read(pid: number, file: 'stat' | 'status' | 'cmdline'): string | null;
}

export const liveProc: ProcReader = {
  pids: () =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number),
  read: (pid, file) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return null;
    }
  },
};

/**
 * The browser process of a Chromium started with `tag` among its arguments (Playwright's Browser does not give
 * its pid; an unknown switch is ignored by Chromium but shows in /proc/<pid>/cmdline). Null until it is up.
 */
export function findBrowserByArg(tag: string, proc: ProcReader = liveProc): number | null {
  for (const pid of proc.pids()) {
    const cmdline = proc.read(pid, 'cmdline');
    if (cmdline && cmdline.split('\0').includes(tag) && chromiumProcessType(cmdline) === 'browser')
      return pid;
  }
  return null;
}

export interface ProcessSample {
  pid: number;
  type: string;
  rssKb: number;
  hwmKb: number;
}

/** RSS and high-water mark of `root` and its descendants (processes that vanish mid-read are skipped). */
export function sampleProcessTree(root: number, proc: ProcReader = liveProc): ProcessSample[] {
  const parentOf = new Map<number, number>();
  for (const pid of proc.pids()) {
    const stat = proc.read(pid, 'stat');
    const ppid = stat === null ? null : parseProcStatPpid(stat);
    if (ppid !== null) parentOf.set(pid, ppid);
  }
  const out: ProcessSample[] = [];
  for (const pid of descendants(root, parentOf)) {
    const status = proc.read(pid, 'status');
    if (status === null) continue;
    const { rssKb, hwmKb } = parseProcStatus(status);
    if (rssKb === null) continue;
    const type = chromiumProcessType(proc.read(pid, 'cmdline') ?? '');
    out.push({ pid, type, rssKb, hwmKb: hwmKb ?? rssKb });
  }
  return out;
}

export interface MemoryPeaks {
  samples: number;
  /** The renderer with the highest VmHWM (the tab's, which also hosts its workers and their WebAssembly). */
  renderer: { pid: number; hwmMb: number; maxRssMb: number; maxRssPhase: string } | null;
  /** The GPU process's VmHWM (WebGPU/WebGL buffers and SwiftShader work live there). */
  gpu: { pid: number; hwmMb: number; maxRssMb: number } | null;
  /** The largest sampled sum of VmRSS over every Chromium process (shared pages counted once per process). */
  treeMaxRssMb: number;
  treeMaxRssPhase: string;
  /** Per process type: the highest VmHWM seen. */
  hwmMbByType: Record<string, number>;
}

const mb = (kb: number): number => Math.round(kb / 1024);

/** Keeps the peaks of successive process-tree samples, each taken in a named phase. */
export class MemoryTracker {
  private readonly perPid = new Map<
    number,
    { type: string; hwmKb: number; maxRssKb: number; phase: string }
  >();
  private samples = 0;
  private treeMaxKb = 0;
  private treePhase = '';

  add(sample: readonly ProcessSample[], phase: string): void {
    this.samples++;
    let sum = 0;
    for (const p of sample) {
      sum += p.rssKb;
      const prev = this.perPid.get(p.pid);
      const rssPeak = !prev || p.rssKb > prev.maxRssKb;
      this.perPid.set(p.pid, {
        type: p.type,
        hwmKb: Math.max(prev?.hwmKb ?? 0, p.hwmKb),
        maxRssKb: rssPeak ? p.rssKb : prev.maxRssKb,
        phase: rssPeak ? phase : prev.phase,
      });
    }
    if (sum > this.treeMaxKb) {
      this.treeMaxKb = sum;
      this.treePhase = phase;
    }
  }

  /** Current RSS (MB) of the tab's renderer in the last sample given, for progress lines. */
  static rendererRssMb(sample: readonly ProcessSample[]): number {
    return mb(Math.max(0, ...sample.filter((p) => p.type === 'renderer').map((p) => p.rssKb)));
  }

  peaks(): MemoryPeaks {
    const top = (type: string): [number, { hwmKb: number; maxRssKb: number; phase: string }] | null => {
      let best: [number, { hwmKb: number; maxRssKb: number; phase: string }] | null = null;
      for (const [pid, p] of this.perPid)
        if (p.type === type && (!best || p.hwmKb > best[1].hwmKb)) best = [pid, p];
      return best;
    };
    const r = top('renderer');
    const g = top('gpu-process');
    const hwmMbByType: Record<string, number> = {};
    for (const p of this.perPid.values())
      hwmMbByType[p.type] = Math.max(hwmMbByType[p.type] ?? 0, mb(p.hwmKb));
    return {
      samples: this.samples,
      renderer: r
        ? { pid: r[0], hwmMb: mb(r[1].hwmKb), maxRssMb: mb(r[1].maxRssKb), maxRssPhase: r[1].phase }
        : null,
      gpu: g ? { pid: g[0], hwmMb: mb(g[1].hwmKb), maxRssMb: mb(g[1].maxRssKb) } : null,
      treeMaxRssMb: mb(this.treeMaxKb),
      treeMaxRssPhase: this.treePhase,
      hwmMbByType,
    };
  }
}

export interface LongTask {
  /** performance.now() of the page at the task's start, ms. */
  start: number;
  duration: number;
}

/** A phase that began at page time `t` (ms) and lasted until the next entry's `t`. */
export interface PhaseMark {
  t: number;
  phase: string;
}

/** The phase in force at page time `t`: the last mark at or before it (marks in increasing time). */
export function phaseAt(marks: readonly PhaseMark[], t: number): string {
  let phase = marks.length && marks[0]!.t <= t ? marks[0]!.phase : 'before the first mark';
  for (const m of marks) {
    if (m.t > t) break;
    phase = m.phase;
  }
  return phase;
}

export interface LongTaskSummary {
  count: number;
  over100: number;
  totalMs: number;
  maxMs: number;
  maxPhase: string;
  /** Per phase: how many long tasks, how many over 100 ms, the longest. */
  byPhase: Record<string, { count: number; over100: number; maxMs: number }>;
  /** The five longest, longest first. */
  top: { ms: number; phase: string; atS: number }[];
}

/** Long tasks (≥ 50 ms by the API's definition) summed up, each placed in the phase it started in. */
export function summariseLongTasks(tasks: readonly LongTask[], marks: readonly PhaseMark[]): LongTaskSummary {
  const byPhase: LongTaskSummary['byPhase'] = {};
  let maxMs = 0;
  let maxPhase = '';
  let totalMs = 0;
  let over100 = 0;
  const placed = tasks.map((x) => ({ ...x, phase: phaseAt(marks, x.start) }));
  for (const x of placed) {
    totalMs += x.duration;
    if (x.duration > 100) over100++;
    if (x.duration > maxMs) {
      maxMs = x.duration;
      maxPhase = x.phase;
    }
    const p = (byPhase[x.phase] ??= { count: 0, over100: 0, maxMs: 0 });
    p.count++;
    if (x.duration > 100) p.over100++;
    p.maxMs = Math.max(p.maxMs, x.duration);
  }
  const top = [...placed]
    .sort((a, b) => b.duration - a.duration)
    .slice(0, 5)
    .map((x) => ({ ms: x.duration, phase: x.phase, atS: x.start / 1000 }));
  return { count: tasks.length, over100, totalMs, maxMs, maxPhase, byPhase, top };
}

/** `cell,value` rows of a CSV with a header line → map (surrounding quotes dropped). */
function csvPairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, '$1');
  for (const line of text.split(/\r?\n/).slice(1)) {
    const i = line.indexOf(',');
    if (i > 0) out.set(unquote(line.slice(0, i)), unquote(line.slice(i + 1)));
  }
  return out;
}

/** ARI of a `cell,cluster` CSV against a `cell,label` CSV over the cells in both; null if none are shared. */
export function ariOfCsvs(clustersCsv: string, labelsCsv: string): { ari: number; cells: number } | null {
  const clusters = csvPairs(clustersCsv);
  const labels = csvPairs(labelsCsv);
  const codes = (values: string[]): number[] => {
    const ids = new Map<string, number>();
    return values.map((v) => ids.get(v) ?? (ids.set(v, ids.size), ids.size - 1));
  };
  const cells = [...clusters.keys()].filter((c) => labels.has(c) && labels.get(c) !== '');
  if (cells.length === 0) return null;
  return {
    ari: adjustedRandIndex(
      codes(cells.map((c) => labels.get(c)!)),
      codes(cells.map((c) => clusters.get(c)!)),
    ),
    cells: cells.length,
  };
}
