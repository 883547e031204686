import { describe, expect, it } from 'vitest';
import {
  ariOfCsvs,
  chromiumProcessType,
  descendants,
  findBrowserByArg,
  MemoryTracker,
  parseProcStatPpid,
  parseProcStatus,
  phaseAt,
  sampleProcessTree,
  summariseLongTasks,
  type ProcReader,
} from './browser-metrics.ts';

const STATUS = `Name:\tchromium
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
PPid:\t4200
VmPeak:\t 50000000 kB
VmSize:\t 49000000 kB
VmHWM:\t  1234567 kB
VmRSS:\t   654321 kB
RssAnon:\t  600000 kB
`;

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in kB', () => {
    expect(parseProcStatus(STATUS)).toEqual({ rssKb: 654321, hwmKb: 1234567 });
  });
  it('gives null for the fields a zombie lacks', () => {
    expect(parseProcStatus('Name:\tx\nState:\tZ (zombie)\n')).toEqual({ rssKb: null, hwmKb: null });
  });
});

describe('parseProcStatPpid', () => {
  it('reads the parent past a command name with spaces and parentheses', () => {
    expect(parseProcStatPpid('4242 (Chrome (Main) x) S 4200 4242 4242 0 -1 4194560 1 2 3')).toBe(4200);
  });
  it('gives null for a line without a command name', () => {
    expect(parseProcStatPpid('garbage')).toBeNull();
  });
});

describe('chromiumProcessType', () => {
  it('takes --type= from the NUL-separated command line', () => {
    expect(chromiumProcessType('/usr/lib/chromium/chromium\0--type=renderer\0--lang=en\0')).toBe('renderer');
    expect(chromiumProcessType('/usr/lib/chromium/chromium\0--headless=new\0')).toBe('browser');
    // A zygote child's retitled command line: one string, spaces between the arguments.
    expect(
      chromiumProcessType('/usr/lib/chromium/chromium --type=renderer --enable-crash-reporter=,built on X'),
    ).toBe('renderer');
  });
});

describe('descendants', () => {
  it('walks the whole subtree and nothing else', () => {
    const parents = new Map([
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 2],
      [6, 99],
    ]);
    expect(descendants(2, parents).sort()).toEqual([2, 3, 4, 5]);
  });
});

function fakeProc(
  table: Record<number, { ppid: number; type?: string; rss: number; hwm: number }>,
): ProcReader {
  return {
    pids: () => Object.keys(table).map(Number),
    read: (pid, file) => {
      const p = table[pid];
      if (!p) return null;
      if (file === 'stat') return `${pid} (chromium) S ${p.ppid} 1 1 0`;
      if (file === 'cmdline')
        return p.type ? `chromium --type=${p.type} --lang=en` : 'chromium\0--headless\0';
      return `VmHWM:\t${p.hwm} kB\nVmRSS:\t${p.rss} kB\n`;
    },
  };
}

describe('sampleProcessTree and MemoryTracker', () => {
  it('keeps the peaks of the tab renderer, the GPU process and the whole tree', () => {
    const tracker = new MemoryTracker();
    const proc1 = fakeProc({
      10: { ppid: 1, rss: 100 * 1024, hwm: 120 * 1024 },
      11: { ppid: 10, type: 'zygote', rss: 50 * 1024, hwm: 50 * 1024 },
      12: { ppid: 11, type: 'renderer', rss: 300 * 1024, hwm: 400 * 1024 },
      13: { ppid: 10, type: 'gpu-process', rss: 80 * 1024, hwm: 90 * 1024 },
      20: { ppid: 1, type: 'renderer', rss: 9999 * 1024, hwm: 9999 * 1024 }, // another browser's
    });
    const s1 = sampleProcessTree(10, proc1);
    expect(s1.map((p) => p.pid).sort()).toEqual([10, 11, 12, 13]);
    tracker.add(s1, 'load');
    expect(MemoryTracker.rendererRssMb(s1)).toBe(300);
    const proc2 = fakeProc({
      10: { ppid: 1, rss: 100 * 1024, hwm: 120 * 1024 },
      12: { ppid: 10, type: 'renderer', rss: 700 * 1024, hwm: 750 * 1024 },
      14: { ppid: 10, type: 'renderer', rss: 20 * 1024, hwm: 20 * 1024 },
    });
    tracker.add(sampleProcessTree(10, proc2), 'run: graph');
    const p = tracker.peaks();
    expect(p.samples).toBe(2);
    expect(p.renderer).toEqual({ pid: 12, hwmMb: 750, maxRssMb: 700, maxRssPhase: 'run: graph' });
    expect(p.gpu).toEqual({ pid: 13, hwmMb: 90, maxRssMb: 80 });
    expect(p.treeMaxRssMb).toBe(820);
    expect(p.treeMaxRssPhase).toBe('run: graph');
    expect(p.hwmMbByType).toEqual({ browser: 120, zygote: 50, renderer: 750, 'gpu-process': 90 });
  });
});

describe('findBrowserByArg', () => {
  it('finds the browser process that carries the tag, not its children or other browsers', () => {
    const table: Record<number, string> = {
      5: 'chromium\0--headless=new\0',
      7: 'chromium\0--type=renderer\0--bench-tag=1\0',
      9: 'chromium\0--bench-tag=1\0--no-sandbox\0',
    };
    const proc: ProcReader = {
      pids: () => [5, 7, 9, 11],
      read: (pid, file) => (file === 'cmdline' ? (table[pid] ?? null) : null),
    };
    expect(findBrowserByArg('--bench-tag=1', proc)).toBe(9);
    expect(findBrowserByArg('--bench-tag=2', proc)).toBeNull();
  });
});

describe('phaseAt and summariseLongTasks', () => {
  const marks = [
    { t: 0, phase: 'start' },
    { t: 1000, phase: 'load' },
    { t: 5000, phase: 'run: LTMG' },
    { t: 9000, phase: 'results' },
  ];
  it('places a time in the last phase that began at or before it', () => {
    expect(phaseAt(marks, 999)).toBe('start');
    expect(phaseAt(marks, 1000)).toBe('load');
    expect(phaseAt(marks, 20000)).toBe('results');
    expect(phaseAt([{ t: 10, phase: 'a' }], 5)).toBe('before the first mark');
  });
  it('counts, totals and finds the longest per phase', () => {
    const s = summariseLongTasks(
      [
        { start: 1500, duration: 60 },
        { start: 1600, duration: 250 },
        { start: 6000, duration: 101 },
        { start: 9500, duration: 100 },
      ],
      marks,
    );
    expect(s.count).toBe(4);
    expect(s.over100).toBe(2);
    expect(s.totalMs).toBe(511);
    expect(s.maxMs).toBe(250);
    expect(s.maxPhase).toBe('load');
    expect(s.byPhase).toEqual({
      load: { count: 2, over100: 1, maxMs: 250 },
      'run: LTMG': { count: 1, over100: 1, maxMs: 101 },
      results: { count: 1, over100: 0, maxMs: 100 },
    });
    expect(s.top[0]).toEqual({ ms: 250, phase: 'load', atS: 1.6 });
    expect(s.top.map((x) => x.ms)).toEqual([250, 101, 100, 60]);
  });
  it('is all zeros without long tasks', () => {
    const s = summariseLongTasks([], marks);
    expect([s.count, s.over100, s.maxMs, s.top.length]).toEqual([0, 0, 0, 0]);
  });
});

describe('ariOfCsvs', () => {
  it('scores the shared cells only, whatever the cluster numbering', () => {
    const clusters = 'cell,cluster\na,0\nb,0\nc,1\nd,1\nz,5\n';
    const labels = 'cell,label\n"a",x\nb,x\nc,y\nd,y\ne,y\n';
    expect(ariOfCsvs(clusters, labels)).toEqual({ ari: 1, cells: 4 });
    expect(ariOfCsvs('cell,cluster\nq,1\n', labels)).toBeNull();
  });
});
