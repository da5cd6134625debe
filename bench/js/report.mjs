// What bench/js/run.mjs writes besides the numbers: its tables as markdown and as text,
// and a sentence per target (issue 15) saying how many cells meet it.

export const PHASES = ['set', 'get1', 'update', 'get2', 'evict'];
export const PHASE_TITLES = { set: 'set', get1: 'get', update: 'update', get2: 'get (shuffled)', evict: 'evict' };

export function markdownTable(t) {
  const cell = (x) => (x === null || x === undefined ? '–' : String(x));
  const head = `| ${t.columns.join(' | ')} |`;
  const rule = `|${t.columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  return [`**${t.title}**`, '', head, rule, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export function printTable(t) {
  const cells = [t.columns, ...t.rows.map((r) => r.map((x) => (x === null ? '-' : String(x))))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  console.log(`\n${t.title}`);
  for (const [j, r] of cells.entries()) {
    console.log(`  ${r.map((x, i) => (i === 0 ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join('  ')}`);
    if (j === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
}

// How many of a ratio table's cells reach 1.0, and its worst and best.
function cellsMeeting(rowsOf) {
  const cells = rowsOf.flatMap((r) => r.slice(1).map((x, i) => ({ x, where: `${PHASE_TITLES[PHASES[i]]}, ${r[0]}` })));
  const measured = cells.filter((c) => c.x !== null);
  if (measured.length === 0) return null;
  const worst = measured.reduce((a, c) => (a === null || c.x < a.x ? c : a), null);
  const best = measured.reduce((a, c) => (a === null || c.x > a.x ? c : a), null);
  return `${measured.filter((c) => c.x >= 1).length} of ${measured.length} cells meet it; worst ${worst.x}x (${worst.where}), best ${best.x}x (${best.where})`;
}

/**
 * Whether one cell's processes tell two implementations apart, from each process's ops/ms:
 * 'below' when every process of `ours` was slower than every one of `base`, 'above' when
 * every one was faster, else 'overlap'. With 5 processes each, a complete separation is a
 * Mann-Whitney U of 0: p = 2/252 < 0.01 (two-sided) that the two run at the same speed. A
 * cell's median ratio below 1.0 with overlapping processes is not evidence of a gap.
 */
export function separation(ours, base) {
  if (ours.length === 0 || base.length === 0) return null;
  if (Math.max(...ours) < Math.min(...base)) return 'below';
  if (Math.min(...ours) > Math.max(...base)) return 'above';
  return 'overlap';
}

// The separation sentence: how many of the cells below 1.0x are slower in every process.
function separated(rowsOf, separationRowsOf) {
  const below = [];
  let above = 0;
  let under = 0;
  for (const [j, r] of rowsOf.entries()) {
    for (let i = 1; i < r.length; i++) {
      const sep = separationRowsOf[j]?.[i];
      if (sep === 'above') above++;
      if (r[i] === null || r[i] >= 1) continue;
      under++;
      if (sep === 'below') below.push(`${PHASE_TITLES[PHASES[i - 1]]}, ${r[0]} (${r[i]}x)`);
    }
  }
  // (Two sets of 5 equally fast processes come apart that way with p = 2/252 = 0.008.)
  return (
    `Of the ${under} cells below 1.0x, ${below.length} ${below.length === 1 ? 'is' : 'are'} slower than lru-cache in every process (each of its processes slower than each of lru-cache's)` +
    `${below.length ? `: ${below.join('; ')}` : ''}; the others' processes overlap lru-cache's. ${above} cells are faster in every process`
  );
}

/** The throughput target's sentence for `name`, by medians and by best iterations. */
export function targetLine(name, rowsOf, bestRowsOf, separationRowsOf) {
  const byMedian = cellsMeeting(rowsOf);
  if (byMedian === null) return `No ${name} / lru-cache ratio was measured.`;
  const best = cellsMeeting(bestRowsOf);
  return (
    `Target: ${name} >= 1.0x lru-cache in every phase and key shape. ${byMedian}.` +
    (separationRowsOf === undefined ? '' : ` ${separated(rowsOf, separationRowsOf)}.`) +
    (best === null ? '' : ` By each process's best iteration instead of its median: ${best}.`)
  );
}

// The start-up target: import, instantiation and a first cache within 5 ms of Node
// being ready, in Node (medians of fresh processes) and per Worker in workerd.
const START_MS = 5;

/** The start-up target's sentence, from the cold start results (run.mjs). */
export function startUpLine(coldStart, workerdStart, baseline, nodesStart = {}) {
  const ours = (results, suffix) =>
    Object.entries(results)
      .filter(([impl]) => impl.startsWith('polycache'))
      .map(([impl, v]) => [`${impl} ${v.readyToFirstGetMs} ms${suffix}`, v.readyToFirstGetMs]);
  const times = ours(coldStart, '');
  if (!workerdStart.error) {
    for (const [impl, ms] of Object.entries(workerdStart.perWorkerMs)) if (impl.startsWith('polycache')) times.push([`${impl} in workerd ${ms} ms a Worker`, ms]);
  }
  const met = times.filter(([, ms]) => ms <= START_MS).length;
  const base = coldStart[baseline];
  let line = `Start-up target: <= ${START_MS} ms from Node ready to a first get (and per Worker in workerd): ${met} of ${times.length} meet it: ${times.map(([text]) => text).join(', ')}${base ? `; ${baseline} ${base.readyToFirstGetMs} ms` : ''}.`;
  for (const [version, results] of Object.entries(nodesStart)) {
    const on = ours(results, '');
    const b = results[baseline];
    line += ` On Node ${version}: ${on.filter(([, ms]) => ms <= START_MS).length} of ${on.length} meet it: ${on.map(([text]) => text).join(', ')}${b ? `; ${baseline} ${b.readyToFirstGetMs} ms` : ''}.`;
  }
  return line;
}

// The gets target: each of ours ahead of mnemonist and tiny-lru in both get phases, every
// key shape (medians, ops/ms); with a TTL, tiny-lru alone (mnemonist has none).
export const GET_PEERS = ['mnemonist LRUMap', 'tiny-lru'];

/** The gets target's sentence, from the five-phase cases (run.mjs `cases`). */
export function getsLine(cases, ours) {
  const plain = cases.filter((c) => !c.mode && c.opsPerMs);
  const parts = [];
  for (const impl of ours) {
    let cells = 0;
    const behind = [];
    for (const c of plain.filter((x) => x.impl === impl)) {
      const peers = plain.filter((x) => GET_PEERS.includes(x.impl) && x.shape === c.shape && x.ttl === c.ttl);
      if (peers.length === 0) continue;
      for (const phase of ['get1', 'get2']) {
        cells++;
        const ahead = peers.filter((p) => c.opsPerMs[phase] <= p.opsPerMs[phase]);
        const cell = `${PHASE_TITLES[phase]}, ${c.shape}, ${c.ttl ? `ttl ${c.ttl / 1000} s` : 'no ttl'}`;
        if (ahead.length > 0) behind.push(`${cell} (${c.opsPerMs[phase]} against ${ahead.map((p) => `${p.impl} ${p.opsPerMs[phase]}`).join(', ')})`);
      }
    }
    if (cells > 0) parts.push(`${impl} ahead of both in ${cells - behind.length} of ${cells}${behind.length ? `; behind in ${behind.join('; ')}` : ''}`);
  }
  if (parts.length === 0) return '';
  return `Gets target: ahead of ${GET_PEERS.join(' and ')} in both get phases, every key shape (with a TTL tiny-lru alone; medians): ${parts.join('. ')}.`;
}
